"""Pre-signed links: the path and expiry are signed, the key is the store's."""

from __future__ import annotations

import time
from urllib.parse import parse_qs

import pytest

from textlens.service.errors import ServiceError
from textlens.service.jobs.signing import KEY_FILE, Signer, load_key


def _parts(query: str) -> tuple[str, str]:
    values = parse_qs(query)
    return values["expires"][0], values["signature"][0]


def test_a_link_is_good_for_its_path_until_it_expires(tmp_path):
    signer = Signer(load_key(tmp_path), ttl_s=60)
    expires, signature = _parts(signer.query("/a/result.jsonl"))
    signer.check("/a/result.jsonl", expires, signature)
    with pytest.raises(ServiceError, match="invalid link signature"):
        signer.check("/b/result.jsonl", expires, signature)
    with pytest.raises(ServiceError, match="invalid link signature"):
        signer.check("/a/result.jsonl", str(int(expires) + 1), signature)
    old_expires, old_signature = _parts(signer.query("/a/result.jsonl", now=time.time() - 61))
    with pytest.raises(ServiceError, match="expired"):
        signer.check("/a/result.jsonl", old_expires, old_signature)
    with pytest.raises(ServiceError, match="needs its expires"):
        signer.check("/a/result.jsonl", None, signature)


def test_the_key_is_made_once_and_shared(tmp_path):
    first, second = load_key(tmp_path), load_key(tmp_path)
    assert first == second and len(first) == 32
    assert (tmp_path / KEY_FILE).stat().st_mode & 0o777 == 0o600
    query = Signer(first, 60).query("/x")
    Signer(second, 60).check("/x", *_parts(query))  # another worker checks it alike
    with pytest.raises(ServiceError):
        Signer(load_key(tmp_path / "elsewhere"), 60).check("/x", *_parts(query))

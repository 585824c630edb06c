"""The service's YAML keys, their defaults, and flags over the file."""

from __future__ import annotations

import pytest

from textlens.errors import ConfigError
from textlens.service.settings import ServiceConfig, load_config


def test_defaults_follow_the_seeds():
    config = ServiceConfig()
    assert config.daily_page_limit == 3000  # seed 002: 3000 pages a day
    assert config.max_num_input_imgs == 10  # PaddleX: the first 10 PDF pages
    assert config.allow_url_inputs is False
    assert config.tokens is None and not config.auth_enabled
    assert (config.host, config.port, config.workers) == ("127.0.0.1", 8080, 1)


def test_file_keys_are_read_and_flags_override_them(tmp_path):
    path = tmp_path / "service.yaml"
    path.write_text(
        "tokens: [a, b]\nport: 9000\nworkers: 3\nmax_num_input_imgs: null\n"
        "daily_page_limit: 5\nurl_allowlist: [intranet.example]\n"
    )
    config = load_config(path, port=9100, host=None, workers=None)
    assert config.port == 9100  # the flag wins
    assert config.workers == 3  # a flag not given leaves the file's value
    assert config.tokens == ["a", "b"] and config.auth_enabled
    assert config.max_num_input_imgs is None  # null lifts the PDF page cap
    assert config.daily_page_limit == 5
    assert config.url_allowlist == ["intranet.example"]


@pytest.mark.parametrize(
    "text, words",
    [
        ("quota: 5\n", "quota"),  # a typo is an error, not a silently ignored key
        ("queue_size: 0\n", "queue_size"),
        ("request_timeout_s: fast\n", "request_timeout_s"),
        ("- just\n- a list\n", "mapping"),
        ("daily_page_limit: 100\n", "daily_page_limit needs tokens"),  # a quota nobody would get
        ("tokens: []\ndaily_page_limit: 100\n", "daily_page_limit needs tokens"),
    ],
)
def test_bad_files_are_refused_with_the_key_named(tmp_path, text, words):
    path = tmp_path / "service.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=words):
        load_config(path)


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read service config"):
        load_config(tmp_path / "absent.yaml")


def test_no_quota_without_tokens_is_the_open_default(tmp_path):
    path = tmp_path / "service.yaml"
    path.write_text("daily_page_limit: null\n")
    assert load_config(path).daily_page_limit is None
    assert not load_config().auth_enabled  # the default limit applies only once tokens exist

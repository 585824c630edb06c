"""Daily page quota: per token, per UTC day, in SQLite; refused whole; survives a restart."""

from __future__ import annotations

import base64
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from textlens.service.quota import QuotaBook, QuotaExceeded

NOON = datetime(2025, 3, 14, 12, 30, tzinfo=UTC)


def test_pages_add_up_until_the_limit(tmp_path):
    book = QuotaBook(tmp_path / "q.sqlite3", daily_limit=10)
    assert book.charge("t", 4, NOON) == 6
    assert book.charge("t", 6, NOON) == 0
    with pytest.raises(QuotaExceeded) as caught:
        book.charge("t", 1, NOON)
    assert caught.value.status == 429
    assert book.used("t", NOON) == 10


def test_a_request_that_does_not_fit_is_refused_whole(tmp_path):
    book = QuotaBook(tmp_path / "q.sqlite3", daily_limit=10)
    book.charge("t", 8, NOON)
    with pytest.raises(QuotaExceeded) as caught:
        book.charge("t", 3, NOON)
    assert book.used("t", NOON) == 8  # nothing of the refused request was taken
    message = caught.value.message
    assert "needs 3 page(s)" in message and "only 2 of 10" in message
    assert "resets at 2025-03-15 00:00 UTC (in 11 h 30 min)" in message
    assert caught.value.headers["Retry-After"] == str(11 * 3600 + 30 * 60)


def test_tokens_and_days_are_counted_apart(tmp_path):
    book = QuotaBook(tmp_path / "q.sqlite3", daily_limit=5)
    book.charge("a", 5, NOON)
    assert book.charge("b", 5, NOON) == 0  # another token has its own pages
    assert book.charge("a", 5, NOON + timedelta(hours=12)) == 0  # past midnight UTC: a new day


def test_counts_survive_a_new_book_and_tokens_are_not_stored(tmp_path):
    path = tmp_path / "q.sqlite3"
    QuotaBook(path, daily_limit=5).charge("secret-token", 5, NOON)
    with pytest.raises(QuotaExceeded):
        QuotaBook(path, daily_limit=5).charge("secret-token", 1, NOON)
    assert b"secret-token" not in path.read_bytes()
    with sqlite3.connect(path) as db:
        assert "secret-token" not in str(db.execute("SELECT * FROM usage").fetchall())


def _ocr(client, data: bytes):
    return client.post("/ocr", json={"file": base64.b64encode(data).decode(), "visualize": False})


def test_quota_reached_stays_reached_after_a_restart(launch, blank_pdf, corrupt_image):
    """Limit 12 pages; default PDF cap (10); failed pages count; a restart forgets nothing."""
    server = launch("quota", tokens=["q-one", "q-two"], daily_page_limit=12)
    with server.client("q-one") as client:
        first = _ocr(client, blank_pdf(12))
        assert first.status_code == 200
        assert len(first.json()["result"]["ocrResults"]) == 10  # the default cap: 10 pages

        refused = _ocr(client, blank_pdf(3))  # 10 + 3 > 12: refused whole, before any work
        assert refused.status_code == 429
        body = refused.json()
        assert body["errorCode"] == 429 and "resets at" in body["errorMsg"]
        assert int(refused.headers["Retry-After"]) > 0

        # Two pages that both fail still count: the day is now used up (12 of 12).
        failed = client.post(
            "/predictions",
            json={
                "input": {"images": [base64.b64encode(corrupt_image).decode(), "bm90IGFuIGltYWdl"]}
            },
        )
        assert failed.status_code == 200
        assert server.log_has("pages=2"), server.log()
        assert _ocr(client, blank_pdf(1)).status_code == 429

    server.stop()
    server.start()
    with server.client("q-one") as client:
        again = _ocr(client, blank_pdf(1))
        assert again.status_code == 429 and "resets at" in again.json()["errorMsg"]
        chat = client.post(
            "/v1/chat/completions",
            json={
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {
                                "type": "image_url",
                                "image_url": {"url": "data:image/png;base64,AAAA"},
                            }
                        ],
                    }
                ]
            },
        )
        assert chat.status_code == 429
        assert chat.json()["error"]["type"] == "insufficient_quota"
        predictions = client.post("/predictions", json={"input": {"images": ["AAAA"]}})
        assert predictions.status_code == 429 and "resets at" in predictions.json()["detail"]
    with server.client("q-two") as client:
        assert _ocr(client, blank_pdf(1)).status_code == 200  # another token is unaffected


def test_a_refund_gives_back_that_day_s_pages_only(tmp_path):
    book = QuotaBook(tmp_path / "q.sqlite3", 10)
    day = datetime(2026, 12, 3, 12, tzinfo=UTC)
    book.charge("t", 4, day)
    book.charge("t", 3, day + timedelta(days=1))
    book.refund("t", 4, day)
    assert book.used("t", day) == 0
    assert book.used("t", day + timedelta(days=1)) == 3
    book.refund("t", 5, day + timedelta(days=1))  # never below zero
    assert book.used("t", day + timedelta(days=1)) == 0

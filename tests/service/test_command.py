"""`textlens serve`: refuses a bad config in one line, and runs several worker processes."""

from __future__ import annotations

import base64
import re
import time

from textlens.cli import main


def test_a_bad_config_is_one_line_and_exit_code_2(tmp_path, capsys):
    path = tmp_path / "service.yaml"
    path.write_text("queue_size: -1\n")
    assert main(["serve", "--config", str(path)]) == 2
    assert "invalid service config: queue_size" in capsys.readouterr().err


def test_a_quota_without_tokens_refuses_to_start(tmp_path, capsys):
    path = tmp_path / "service.yaml"
    path.write_text("daily_page_limit: 50\n")
    assert main(["serve", "--config", str(path), "--port", "1"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("error: ") and "daily_page_limit needs tokens" in line


def test_bad_engine_parameters_are_caught_before_starting(tmp_path, capsys):
    pipeline = tmp_path / "pipeline.yaml"
    pipeline.write_text("text_type: general\n")
    path = tmp_path / "service.yaml"
    path.write_text(f"engine: {{config: {pipeline}, ocr_version: PP-OCRv99}}\n")
    assert main(["serve", "--config", str(path), "--port", "1"]) == 2
    assert "unknown ocr_version" in capsys.readouterr().err


def test_workers_each_run_their_own_engine(launch, blank_pdf):
    workers = 2
    server = launch("workers", workers=workers)
    page = base64.b64encode(blank_pdf(1)).decode()
    with server.client() as client:
        for _ in range(4):
            assert client.post("/ocr", json={"file": page, "visualize": False}).status_code == 200
    # the gateway answers once every worker is up; each worker and the gateway log their start
    servers = workers + 1
    deadline = time.monotonic() + 120
    while server.log().count("Application startup complete") < servers:
        assert time.monotonic() < deadline, server.log()
        time.sleep(0.2)
    pids = set(re.findall(r"Started server process \[(\d+)\]", server.log()))
    assert len(pids) == servers, server.log()  # one process each: no worker shares an engine
    server.stop()

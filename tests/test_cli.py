"""The `textlens` command, run as a user runs it: a real subprocess."""

import json
import os
import pty
import signal
import subprocess
import sys
import termios

import pytest

from conftest import SAMPLES


def textlens(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "textlens.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )


def test_ocr_prints_text_without_save_path():
    run = textlens("ocr", "-i", SAMPLES / "invoice.png", "--text_det_limit_side_len", "1280")
    assert run.returncode == 0, run.stderr
    assert "TOTAL DUE" in run.stdout and "Traceback" not in run.stderr


def test_files_paddleocr_names_and_a_failure_that_fails_alone(tmp_path):
    corrupt = tmp_path / "corrupt.png"
    corrupt.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    out = tmp_path / "out"
    run = textlens(
        "ocr",
        "-i",
        SAMPLES / "two_pages.pdf",
        "-i",
        corrupt,
        "-i",
        SAMPLES / "invoice.png",
        "--save_path",
        out,
        "--format",
        "json,txt",
        "--use_textline_orientation",
        "false",
    )
    assert run.returncode == 1
    errors = [l for l in run.stderr.splitlines() if l.startswith("error:")]
    assert len(errors) == 1 and "corrupt.png" in errors[0]
    assert "Traceback" not in run.stderr
    assert "wrote 3 page(s) of 2 file(s) to" in run.stderr  # the one-line summary
    assert "\r" not in run.stderr and "%|" not in run.stderr  # no bar where no one watches
    names = {p.name for p in out.iterdir()}
    assert {
        "two_pages_0_res.json",
        "two_pages_1_res.json",
        "two_pages_0_ocr_res_img.png",
        "invoice_res.json",
        "invoice_ocr_res_img.png",
        "invoice.txt",
        "two_pages.txt",
    } <= names
    assert not any(n.startswith("corrupt") for n in names)
    res = json.loads((out / "two_pages_1_res.json").read_text())["res"]
    assert res["page_index"] == 1 and res["model_settings"]["use_textline_orientation"] is False


@pytest.mark.parametrize(
    "args, message",
    [
        (["--text_det_limit_type", "huge"], "text_det_limit_type"),
        (["--format", "docx"], "unknown --format"),
        (["--lang", "korean"], "text_recognition_model_dir"),
    ],
)
def test_bad_parameters_are_one_line_errors(args, message):
    run = textlens("ocr", "-i", SAMPLES / "invoice.png", *args)
    assert run.returncode == 2 and message in run.stderr and "Traceback" not in run.stderr


def test_models_lists_packages_and_licences():
    run = textlens("models")
    assert run.returncode == 0
    assert "PP-OCRv6_small_rec" in run.stdout and "rapidocr==3.10.0" in run.stdout
    assert "Apache-2.0" in run.stdout


def test_word_level_formats_place_words_from_the_recogniser(tmp_path):
    run = textlens(
        "ocr", "-i", SAMPLES / "invoice.png", "--save_path", tmp_path, "--format", "json,hocr"
    )
    assert run.returncode == 0, run.stderr
    res = json.loads((tmp_path / "invoice_res.json").read_text())["res"]
    assert res["text_word"] and len(res["text_word"]) == len(res["rec_texts"])
    assert (tmp_path / "invoice.hocr").stat().st_size > 0


def test_a_closed_pipe_ends_the_command_quietly():
    """`textlens ocr -i two_pages.pdf | head -1`: the reader leaves after the first line."""
    command = [sys.executable, "-m", "textlens.cli", "ocr", "-i", str(SAMPLES / "two_pages.pdf")]
    whole = subprocess.run(command, capture_output=True, timeout=600)
    assert whole.returncode == 0 and whole.stdout.count(b"\n") > 10, whole.stderr
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = process.stdout.readline()
    process.stdout.close()  # page 2 is still to be read and printed
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=600) == 128 + signal.SIGPIPE
    # the line a reader that stays gets first (its exact text varies a little between CPUs)
    assert first == whole.stdout.splitlines(keepends=True)[0]
    assert first.startswith(b"ACME OFFICE")
    assert stderr == ""  # no error line, no trace


def test_progress_shows_on_a_terminal(tmp_path):
    """stderr a terminal: the bar is drawn there (and error lines stay whole beside it)."""
    main, terminal = pty.openpty()
    termios.tcsetwinsize(terminal, (24, 100))  # a new pty is 0 columns wide: no room for a bar
    corrupt = tmp_path / "corrupt.png"
    corrupt.write_bytes(b"\x89PNG\r\n\x1a\n garbage")  # read as a file, fails to decode
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "textlens.cli",
            "ocr",
            "-i",
            str(corrupt),
            "-i",
            str(SAMPLES / "invoice.png"),
            "--save_path",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=terminal,
        timeout=600,
    )
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the terminal's other end is closed: all read
            break
        if not chunk:
            break
        shown += chunk
    os.close(main)
    text = shown.decode()
    assert run.returncode == 1
    assert "2/2" in text and "file/s" in text  # the bar, finished
    assert any(
        line.strip().startswith("error:") and "corrupt.png" in line and "%|" not in line
        for line in text.replace("\r", "\n").splitlines()
    )

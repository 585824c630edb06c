"""Planning a job: which files, where their results go, what a rerun skips. No OCR runs here;
the files are real images and PDFs made in tmp."""

from __future__ import annotations

import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image

from textlens.batch.plan import make_plan, page_indices
from textlens.errors import InputError


def image(path: Path, frames: int = 1) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pages = [Image.new("RGB", (64, 32), (255, 255, 255 - i)) for i in range(frames)]
    pages[0].save(path, save_all=frames > 1, append_images=pages[1:])
    return path


def pdf(path: Path, pages: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = pdfium.PdfDocument.new()
    for _ in range(pages):
        document.new_page(200, 300)
    document.save(path)
    return path


def tasks_by_name(plan) -> dict[str, tuple[str, tuple | None]]:
    return {Path(t.path).name: (t.out_dir, t.todo) for t in plan.tasks}


def test_a_folder_is_walked_with_its_subfolders_mirrored(tmp_path):
    root = tmp_path / "in"
    image(root / "a.png")
    pdf(root / "sub" / "deep" / "b.pdf", 3)
    image(root / "scan.tif", frames=2)
    (root / "notes.txt").write_text("not a document")
    image(root / ".hidden.png")
    out = root / "out"  # inside the input: its exported PDFs must not become inputs
    pdf(out / "old.pdf", 1)
    plan = make_plan(root, out)
    assert tasks_by_name(plan) == {
        "a.png": (str(out), (None,)),
        "b.pdf": (str(out / "sub" / "deep"), (0, 1, 2)),
        "scan.tif": (str(out), (0, 1)),
    }
    assert plan.files == 3 and plan.pages == 6 and not plan.failures


def test_a_rerun_skips_written_pages_and_redoes_files_missing_a_document(tmp_path):
    root, out = tmp_path / "in", tmp_path / "out"
    pdf(root / "b.pdf", 3)
    image(root / "a.png")
    out.mkdir()
    for name in ("b_0_res.json", "b_2_res.json", "a_res.json"):
        (out / name).write_text("{}")
    plan = make_plan(root, out)
    assert tasks_by_name(plan) == {"b.pdf": (str(out), (1,))}
    assert plan.pages_done == 3 and plan.pages == 1
    (out / "a.txt").write_text("a")
    with_text = make_plan(root, out, formats=["txt"])
    assert tasks_by_name(with_text) == {"b.pdf": (str(out), (0, 1, 2))}, (
        "a document needs every page's result"
    )
    assert with_text.pages_done == 1


def test_a_list_of_paths_is_read_relative_to_its_folder(tmp_path):
    inside = image(tmp_path / "jobs" / "scans" / "a.png")
    outside = image(tmp_path / "elsewhere" / "b.png")
    listing = tmp_path / "jobs" / "list.txt"
    listing.write_text(f"# scans of May\nscans/a.png\n\n{outside}\nmissing.png\n")
    out = tmp_path / "out"
    plan = make_plan(listing, out)
    found = tasks_by_name(plan)
    assert found["a.png"] == (str(out / "scans"), (None,))
    # a file outside the list's folder keeps its absolute folder, inside DIR, never ../
    assert found["b.png"] == (str(out / str(outside.parent).lstrip("/")), (None,))
    assert found["missing.png"][1] is None, "the decoder reports a missing file, in its words"
    assert Path(plan.tasks[0].path) == inside


def test_a_manifest_takes_image_or_path_and_records_bad_lines(tmp_path):
    image(tmp_path / "images" / "a.png")
    pdf(tmp_path / "docs" / "b.pdf", 2)
    manifest = tmp_path / "manifest.jsonl"
    manifest.write_text(
        "\n".join(
            [
                json.dumps({"image": "images/a.png", "width": 64}),
                json.dumps({"path": "docs/b.pdf"}),
                "{not json",
                json.dumps({"file": "c.png"}),
            ]
        )
        + "\n"
    )
    plan = make_plan(manifest, tmp_path / "out")
    assert set(tasks_by_name(plan)) == {"a.png", "b.pdf"}
    assert {f.path for f in plan.failures} == {f"{manifest}:3", f"{manifest}:4"}
    assert all(f.reason.startswith(f.path) for f in plan.failures)
    assert "'image' or 'path'" in plan.failures[1].reason


def test_two_files_that_would_write_the_same_outputs(tmp_path):
    image(tmp_path / "in" / "a.png")
    image(tmp_path / "in" / "a.jpg")
    plan = make_plan(tmp_path / "in", tmp_path / "out")
    assert len(plan.tasks) == 1 and len(plan.failures) == 1
    assert "would overwrite" in plan.failures[0].reason


def test_page_counts_come_from_headers(tmp_path):
    assert page_indices(pdf(tmp_path / "p.pdf", 4)) == (0, 1, 2, 3)
    assert page_indices(image(tmp_path / "t.tif", frames=3)) == (0, 1, 2)
    assert page_indices(image(tmp_path / "i.png")) == (None,)
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    assert page_indices(junk) is None


def test_a_missing_input_is_an_error(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        make_plan(tmp_path / "nowhere", tmp_path / "out")

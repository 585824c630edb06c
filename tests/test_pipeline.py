"""End to end: the real models on the repo's samples and on real pages of the eval sets."""

import json
import shutil

import numpy as np
import pytest
from PIL import Image

from conftest import SAMPLES, manifest_items, page_word_f1
from textlens import OCR
from textlens.geometry import quad_size, rotate_page
from textlens.inputs import Source, to_bgr

EXPECTED = (SAMPLES / "invoice.expected.txt").read_text(encoding="utf-8")
SEED_KEYS = [
    "input_path",
    "page_index",
    "model_settings",
    "dt_polys",
    "dt_scores",
    "text_det_params",
    "text_type",
    "textline_orientation_angles",
    "text_rec_score_thresh",
    "return_word_box",
    "rec_texts",
    "rec_scores",
    "rec_polys",
    "rec_boxes",
]


def words(text: str) -> list[str]:
    return text.lower().split()


def bag_f1(expected: str, got: str) -> float:
    from collections import Counter

    e, g = Counter(words(expected)), Counter(words(got))
    hit = sum((e & g).values())
    return 2 * hit / max(sum(e.values()) + sum(g.values()), 1)


def test_invoice_sample_reads_back(ocr):
    [res] = ocr.predict(str(SAMPLES / "invoice.png"))
    assert bag_f1(EXPECTED, res.text) >= 0.95, res.text
    assert list(res.json["res"]) == SEED_KEYS
    scores = res.json["res"]["rec_scores"]
    assert min(scores) > 0.9 and max(scores) <= 1.0  # clean print reads with confidence
    box = res.json["res"]["rec_boxes"][0]
    assert 40 < box[0] < 80 and 50 < box[1] < 80  # first line drawn at (60, 60)


def test_a_page_photographed_sideways_comes_out_right(ocr):
    [plain] = ocr.predict(str(SAMPLES / "sideways.png"))
    [fixed] = ocr.predict(str(SAMPLES / "sideways.png"), use_doc_orientation_classify=True)
    assert bag_f1(EXPECTED, fixed.text) >= 0.95
    assert bag_f1(EXPECTED, plain.text) < bag_f1(EXPECTED, fixed.text)
    assert fixed.json["res"]["doc_preprocessor_res"]["angle"] == 3  # turned by 270 to undo
    assert fixed.image.shape[:2] == (1100, 900)
    assert set(fixed.img) == {"ocr_res_img", "preprocessed_img"}


def test_exif_rotated_photo(ocr):
    [res] = ocr.predict(str(SAMPLES / "exif_rotated.jpg"))
    assert bag_f1(EXPECTED, res.text) >= 0.95


def test_pdf_pages_and_tiff_frames_each_give_a_result(ocr):
    pdf = ocr.predict(str(SAMPLES / "two_pages.pdf"))
    tiff = ocr.predict(str(SAMPLES / "two_frames.tiff"))
    for results in (pdf, tiff):
        assert [r.page_index for r in results] == [0, 1]
        assert "TOTAL DUE" in results[0].text and "TERMS AND CONDITIONS" in results[1].text


def test_predict_iter_decodes_pages_as_it_goes(ocr):
    stream = ocr.predict_iter([str(SAMPLES / "two_pages.pdf"), "/no/such/file.png"])
    first = next(stream)
    assert first.page_index == 0  # the missing file has not been looked at yet
    assert next(stream).page_index == 1
    with pytest.raises(Exception, match="no such file"):
        next(stream)


def test_arrays_and_per_call_parameters(ocr):
    image = to_bgr(Image.open(SAMPLES / "invoice.png"))
    [res] = ocr.predict(image, text_rec_score_thresh=0.99)
    assert res.input_path is None and res.json["res"]["text_rec_score_thresh"] == 0.99
    assert all(s >= 0.99 for s in res.json["res"]["rec_scores"])
    assert len(res.json["res"]["dt_polys"]) >= len(res.lines)


def test_saved_files_follow_paddleocr_names(ocr, tmp_path):
    [res] = ocr.predict(str(SAMPLES / "invoice.png"))
    res.save_to_json(tmp_path)
    res.save_to_img(tmp_path)
    saved = json.loads((tmp_path / "invoice_res.json").read_text())
    assert saved == json.loads(json.dumps(res.json))
    assert Image.open(tmp_path / "invoice_ocr_res_img.png").size == (1800, 1100)
    for page in ocr.predict(str(SAMPLES / "two_pages.pdf")):
        page.save_to_json(tmp_path)
    assert {p.name for p in tmp_path.glob("two_pages_*_res.json")} == {
        "two_pages_0_res.json",
        "two_pages_1_res.json",
    }
    assert not list(tmp_path.glob(".*tmp"))


def test_word_boxes_on_request(ocr):
    [res] = ocr.predict(str(SAMPLES / "invoice.png"), return_word_box=True)
    line = next(l for l in res.lines if l.text.startswith("TOTAL"))
    assert [w.text for w in line.words] == line.text.split()
    xs = [w.box[0] for w in line.words]
    assert xs == sorted(xs) and all(line.box[0] - 2 <= w.box[0] <= line.box[2] for w in line.words)
    assert res.json["res"]["text_word"][0] == res.lines[0].text.split()


def test_line_boxes_hug_the_text_more_closely_than_the_crops_read(ocr):
    [tight] = ocr.predict(str(SAMPLES / "invoice.png"))
    [loose] = ocr.predict(str(SAMPLES / "invoice.png"), text_det_box_unclip_ratio=1.5)
    assert [l.text for l in tight.lines] == [l.text for l in loose.lines]  # same crops read
    for a, b in zip(tight.lines, loose.lines):
        assert b.box[0] <= a.box[0] and a.box[2] <= b.box[2]
        assert b.box[1] <= a.box[1] and a.box[3] <= b.box[3]
    area = lambda lines: sum(np.prod(quad_size(l.poly)) for l in lines)  # noqa: E731
    assert area(tight.lines) < 0.95 * area(loose.lines)


def test_a_model_dir_drops_in_through_the_pipeline_yaml(tmp_path):
    from textlens.models import resolve

    (tmp_path / "det").mkdir()
    shutil.copy(resolve("PP-OCRv6_tiny_det").path, tmp_path / "det" / "inference.onnx")
    (tmp_path / "OCR.yaml").write_text(
        "SubModules:\n  TextDetection:\n    model_name: my_det\n    model_dir: ./det\n"
    )
    engine = OCR(config=tmp_path / "OCR.yaml", cpu_threads=1)
    [res] = engine.predict(str(SAMPLES / "invoice.png"))
    assert bag_f1(EXPECTED, res.text) >= 0.9


FLOORS = {"sroie": (8, 0.85), "funsd": (6, 0.75), "pdf_digital": (3, 0.90)}


@pytest.mark.parametrize("name", list(FLOORS))
def test_real_pages_meet_score_floors(ocr, eval_data, scorer, name):
    count, floor = FLOORS[name]
    items = manifest_items(eval_data, name)[:count]
    f1s = []
    for item in items:
        results = ocr.predict(str(eval_data / name / item["image"]))
        gt = "\n".join(l["text"] for l in item["lines"] if not l.get("ignore"))
        f1s.append(page_word_f1(scorer, gt, results))
    assert np.mean(f1s) >= floor, f1s


@pytest.mark.slow
def test_turned_pages_read_as_well_with_the_orientation_stage(eval_data, scorer):
    engine = OCR(use_doc_orientation_classify=True)
    items = [("sroie", i) for i in manifest_items(eval_data, "sroie")[:4]] + [
        ("funsd", i) for i in manifest_items(eval_data, "funsd")[:2]
    ]
    by_turn = {0: [], 90: [], 180: [], 270: []}
    for name, item in items:
        page = to_bgr(Image.open(eval_data / name / item["image"]))
        gt = "\n".join(l["text"] for l in item["lines"])
        for turn in by_turn:
            by_turn[turn].append(page_word_f1(scorer, gt, engine.predict(rotate_page(page, turn))))
    upright = np.mean(by_turn[0])
    for turn in (90, 180, 270):
        assert np.mean(by_turn[turn]) >= upright - 0.03, (turn, by_turn)


class Stop(Exception):
    """Raised by a between-pages hook, as a service's cancellation does."""


def test_the_page_loop_caps_pdfs_and_stops_between_pages(ocr):
    pdf = Source(name="two_pages", path=str(SAMPLES / "two_pages.pdf"))
    calls: list[int] = []
    read = list(ocr.read([pdf], between_pages=lambda: calls.append(1)))
    assert [page.page_index for page, _ in read] == [0, 1] and len(calls) == 2
    assert "TOTAL DUE" in read[0][1].text and "TERMS AND CONDITIONS" in read[1][1].text
    [(page, _)] = ocr.read([pdf], max_pdf_pages=1)
    assert page.page_index == 0

    def stop_after_first() -> None:
        if calls:
            raise Stop
        calls.append(1)

    calls.clear()
    loop = ocr.read([pdf], between_pages=stop_after_first)
    assert next(loop)[0].page_index == 0
    with pytest.raises(Stop):
        next(loop)  # page 2 is never read

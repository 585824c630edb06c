"""Florence2 on the tiny random model: load, squash, batch, generate, parse, map back, OCRResult."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from conftest import SAMPLES
from florence2 import tiny
from textlens.errors import ConfigError, ModelError
from textlens.export import EXPORTERS
from textlens.florence2 import TASKS, Florence2
from textlens.florence2.result import Region

INPUTS = {"text": "a green car", "region": "100,200,500,600"}


def test_every_task_answers_in_the_pages_pixels(engine):
    for task in TASKS.values():
        text_input = INPUTS.get(task.takes)
        [result] = engine.predict(SAMPLES / "invoice.png", task=task.token, text_input=text_input)
        assert result.task == task.token and result.size == (900, 1100)
        assert len(result.generated) == 1 and result.generated[0]
        for region in result.regions:
            x1, y1, x2, y2 = region.box
            assert 0 <= x1 <= x2 <= 900 and 0 <= y1 <= y2 <= 1100
        assert result.json["res"]["task"] == task.token


def test_images_batched_in_one_generate_call_answer_as_alone(tiny_dir, engine):
    pages = [SAMPLES / "invoice.png", SAMPLES / "exif_rotated.jpg", SAMPLES / "invoice.png"]
    batched = Florence2(tiny_dir, max_new_tokens=12, num_beams=2, batch_size=3)
    calls = []
    generate = batched.generate
    batched.generate = lambda items: calls.append(len(items)) or generate(items)
    together = batched.predict(pages, task="<OD>")
    alone = [engine.predict(p, task="<OD>")[0] for p in pages]
    assert calls == [3]
    assert [r.generated for r in together] == [r.generated for r in alone]


def test_the_squash_is_the_models_own_square_or_1024(tiny_dir, engine):
    assert engine.image_size == tiny.SIDE
    large = Florence2(tiny_dir, max_new_tokens=4, image_size=1024)
    assert large._loaded.processor.num_image_tokens == (1024 // 32) ** 2 + 1
    [result] = large.predict(SAMPLES / "invoice.png", task="<OD>")
    assert result.generated


def test_exif_orientation_is_applied_before_reading(engine):
    image = Image.new("RGB", (300, 200), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # stored on its side: shown turned by 90 degrees
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    [result] = engine.predict(buffer.getvalue(), task="<CAPTION>")
    assert result.size == (200, 300)


def test_a_large_page_is_read_as_tiles_in_one_batch(tiny_dir):
    tiled = Florence2(tiny_dir, max_new_tokens=8, tile_size=400, tile_overlap=64, batch_size=12)
    calls = []
    generate = tiled.generate
    tiled.generate = lambda items: calls.append(len(items)) or generate(items)
    [result] = tiled.predict(SAMPLES / "invoice.png", task="<OCR>")  # 900 x 1100: 3 x 4 tiles
    assert calls == [12] and len(result.generated) == 12


def test_ocr_answers_convert_to_ocr_results_the_exporters_write(engine):
    [result] = engine.predict(SAMPLES / "invoice.png", task="<OCR_WITH_REGION>")
    result.regions = [  # what a real model would place: two lines, in reverse order
        Region("TOTAL 12.00", [100, 600, 400, 640], quad=[100, 600, 400, 600, 400, 640, 100, 640]),
        Region("INVOICE", [100, 100, 300, 150], quad=[100, 100, 300, 100, 300, 150, 100, 150]),
    ]
    ocr = result.to_ocr()
    assert ocr.text == "INVOICE\nTOTAL 12.00"
    assert ocr.json["res"]["rec_boxes"] == [[100, 600, 400, 640], [100, 100, 300, 150]]
    for fmt, (_, write) in EXPORTERS.items():
        if fmt != "pdf":
            assert b"INVOICE" in write([ocr]), fmt
    [plain] = engine.predict(SAMPLES / "invoice.png", task="<OCR>")
    plain.text = "INVOICE TOTAL"
    [line] = plain.to_ocr().lines
    assert line.text == "INVOICE TOTAL" and line.box == [0, 0, 900, 1100]
    with pytest.raises(ValueError, match="not an OCR task"):
        engine.predict(SAMPLES / "invoice.png", task="<OD>")[0].to_ocr()


def test_results_save_their_json_and_a_picture(engine, tmp_path):
    [result] = engine.predict(SAMPLES / "invoice.png", task="<OD>")
    result.regions = [Region("car", [10, 10, 200, 100], polygons=[[10, 10, 200, 10, 100, 100]])]
    assert result.save_to_json(tmp_path).name == "invoice_res.json"
    picture = result.save_to_img(tmp_path)
    assert picture.name == "invoice_florence_img.png"
    drawn = np.asarray(Image.open(picture))
    assert drawn.shape == (1100, 900, 3) and (drawn[10:100, 10:200] != 255).any()


def test_bad_inputs_are_one_clear_error(tiny_dir, engine, tmp_path):
    with pytest.raises(ConfigError, match="needs a phrase"):
        engine.predict(SAMPLES / "invoice.png", task="<OPEN_VOCABULARY_DETECTION>")
    with pytest.raises(ModelError, match="needs its weights"):
        Florence2(None)
    with pytest.raises(ModelError, match="no such folder"):
        Florence2(tmp_path / "absent")
    with pytest.raises(ModelError, match="holds a bert model, not Florence-2"):
        Florence2(tiny.other_model(tmp_path / "bert"))
    with pytest.raises(ModelError, match=r"no readable config\.json"):
        Florence2(tmp_path)
    with pytest.raises(ConfigError, match="tile_overlap"):
        Florence2(tiny_dir, tile_size=100, tile_overlap=100)


def test_the_folder_comes_from_the_environment(tiny_dir, monkeypatch):
    monkeypatch.setenv("TEXTLENS_FLORENCE_DIR", str(tiny_dir))
    assert Florence2().name == "Florence-2-tiny"

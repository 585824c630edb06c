"""The HTTP face of textlens: PaddleX serving's /ocr, the Florence-2 /predictions contract and
an OpenAI-compatible chat endpoint over one OCR engine per worker process.

`textlens serve` starts it (see command.py); `create_app(ServiceConfig(...))` builds the ASGI app
for embedding or tests.
"""
from .app import create_app
from .settings import ServiceConfig, load_config

__all__ = ["create_app", "ServiceConfig", "load_config"]

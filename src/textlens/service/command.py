"""`textlens serve [--host H] [--port P] [--workers N] [--config FILE]`: flags override the file.

The resolved config is checked here, engine parameters included, so a mistake is one line on
the terminal before anything starts. Workers are processes that each build their own engine
from the same config, passed as JSON in an environment variable, behind one gateway process
that holds the port (gateway.py).

Registering the subcommand imports nothing of the serve extra: `textlens ocr` works without it,
and `textlens serve` says in one line which install it needs.
"""

from __future__ import annotations

import argparse
import copy
import math
import os
from typing import TYPE_CHECKING

from ..config import resolve, resolve_florence
from ..extras import require
from ..florence2.loader import check_folder

if TYPE_CHECKING:
    from .settings import ServiceConfig


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "serve",
        help="run the HTTP service (/ocr, /predictions, /v1/chat/completions)",
        description="Run the HTTP service. Settings come from --config (YAML); flags override "
        "the file. OpenAPI docs at /docs.",
    )
    p.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="TCP port (default 8080)")
    p.add_argument("--workers", type=int, help="processes, each with its own engine (default 1)")
    p.add_argument("--config", help="YAML file with the service's keys (see README: HTTP service)")
    p.add_argument(
        "--engine",
        choices=("ppocr", "florence2"),
        help="florence2: load Florence-2 too, for /predictions, /v1/chat/completions and "
        "Replicate predictions (default: the file's florence2 key, else PP-OCR alone)",
    )
    p.add_argument(
        "--florence-model-dir",
        "--florence_model_dir",
        dest="florence_model_dir",
        help="folder of the Florence-2 weights (default: $TEXTLENS_FLORENCE_DIR)",
    )
    p.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    require("serve", "textlens serve")
    from .settings import load_config

    config = with_florence(
        load_config(args.config, host=args.host, port=args.port, workers=args.workers),
        args.engine,
        args.florence_model_dir,
    )
    params = dict(config.engine)
    resolve(params.pop("config", None), **params)  # engine parameters: fail now, not per worker
    if config.florence2 is not None:
        require("florence", "textlens serve --engine florence2")
        check_folder(resolve_florence(**config.florence2).florence_model_dir)
    serve(config)
    return 0


def with_florence(
    config: ServiceConfig, engine: str | None, model_dir: str | None
) -> ServiceConfig:
    """The config as --engine and --florence-model-dir change it: florence2 loads Florence-2
    (the folder from the flag, the file, or TEXTLENS_FLORENCE_DIR), ppocr leaves it out."""
    if engine == "ppocr":
        return config.model_copy(update={"florence2": None})
    if engine == "florence2" or model_dir:
        given = {"florence_model_dir": model_dir} if model_dir else {}
        return config.model_copy(update={"florence2": {**(config.florence2 or {}), **given}})
    return config


def log_config() -> dict:
    """uvicorn's logging with timestamps, plus the service's one-line-per-request logger."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["default"]["fmt"] = "%(asctime)s %(levelprefix)s %(message)s"
    config["loggers"]["textlens"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def serve(config: ServiceConfig) -> None:
    """Run uvicorn until interrupted: the app itself, or with several workers the gateway
    (gateway.py) in front of them."""
    import uvicorn

    from .settings import ENV_VAR

    os.environ[ENV_VAR] = config.model_dump_json()
    if config.workers > 1:
        from . import gateway

        target: object = gateway.app(config)
    else:
        target = "textlens.service.app:app_from_env"
    uvicorn.run(
        target,  # type: ignore[arg-type]
        factory=config.workers == 1,
        host=config.host,
        port=config.port,
        access_log=False,
        log_config=log_config(),
        # SIGTERM drains: requests in flight finish, and none runs past its own deadline
        timeout_graceful_shutdown=math.ceil(config.request_timeout_s),
    )

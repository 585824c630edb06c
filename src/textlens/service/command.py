"""`textlens serve [--host H] [--port P] [--workers N] [--config FILE]`: flags override the file.

The resolved config is checked here, engine parameters included, so a mistake is one line on
the terminal before anything starts. Workers are uvicorn processes that each build their own
engine from the same config, passed as JSON in an environment variable.

Registering the subcommand imports nothing of the serve extra: `textlens ocr` works without it,
and `textlens serve` says in one line which install it needs.
"""

from __future__ import annotations

import argparse
import copy
import os
from typing import TYPE_CHECKING

from ..config import resolve
from ..extras import require

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
    p.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    require("serve", "textlens serve")
    from .settings import load_config

    config = load_config(args.config, host=args.host, port=args.port, workers=args.workers)
    params = dict(config.engine)
    resolve(params.pop("config", None), **params)  # engine parameters: fail now, not per worker
    serve(config)
    return 0


def _log_config() -> dict:
    """uvicorn's logging with timestamps, plus the service's one-line-per-request logger."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["default"]["fmt"] = "%(asctime)s %(levelprefix)s %(message)s"
    config["loggers"]["textlens"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def serve(config: ServiceConfig) -> None:
    """Run uvicorn until interrupted."""
    import uvicorn

    from .settings import ENV_VAR

    os.environ[ENV_VAR] = config.model_dump_json()
    uvicorn.run(
        "textlens.service.app:app_from_env",
        factory=True,
        host=config.host,
        port=config.port,
        workers=config.workers,
        access_log=False,
        log_config=_log_config(),
        timeout_graceful_shutdown=5,
    )

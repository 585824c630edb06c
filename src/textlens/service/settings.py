"""The service's configuration: a YAML file for `textlens serve --config FILE`, flags over it.

One validated object holds every key, so a typo in the file is an error at start-up rather than
a silently ignored setting, and worker processes receive exactly what the command resolved
(as JSON in an environment variable: uvicorn starts workers by import string).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import ConfigError
from .errors import describe_validation

ENV_VAR = "TEXTLENS_SERVICE_CONFIG"


def _state_dir() -> Path:
    return Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "textlens"


def _default_quota_db() -> str:
    return str(_state_dir() / "quota.sqlite3")


def _default_jobs_dir() -> str:
    return str(_state_dir() / "jobs")


class ServiceConfig(BaseModel):
    """Every setting of `textlens serve`; the field descriptions are the documentation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = Field("127.0.0.1", description="address to listen on")
    port: int = Field(8080, ge=1, le=65535, description="TCP port")
    workers: int = Field(1, ge=1, description="processes, each with its own OCR engine")
    tokens: list[str] | None = Field(None, description="accepted API tokens; none means no auth")
    daily_page_limit: int | None = Field(
        3000, ge=1, description="pages per token per UTC day (null: unlimited)"
    )
    quota_db: str = Field(
        default_factory=_default_quota_db, description="SQLite file that keeps the page counts"
    )
    max_num_input_imgs: int | None = Field(
        10, ge=1, description="PDF pages read per request (null: all)"
    )
    max_request_bytes: int = Field(
        50 * 1024 * 1024, ge=1, description="larger request bodies get 413"
    )
    request_timeout_s: float = Field(300.0, gt=0, description="slower requests get 504")
    queue_size: int = Field(
        8, ge=1, description="requests a worker holds (running + waiting); more get 503"
    )
    allow_url_inputs: bool = Field(False, description="fetch inputs given as http(s) URLs")
    url_allowlist: list[str] = Field(
        default_factory=list, description="hosts fetched although loopback or private"
    )
    url_timeout_s: float = Field(20.0, gt=0, description="time limit for fetching one URL")
    visualize: bool = Field(True, description="/ocr images when a request does not say")
    jobs_dir: str = Field(
        default_factory=_default_jobs_dir,
        description="folder of the job store: its SQLite file, uploaded files, results, "
        "and the key that signs result URLs",
    )
    max_job_bytes: int = Field(
        1024 * 1024 * 1024, ge=1, description="largest file a job (or /v1/files) accepts"
    )
    max_jobs_per_token: int = Field(
        20, ge=1, description="unfinished jobs a token may hold; more get 429"
    )
    job_retention_s: float = Field(
        86400.0, gt=0, description="how long a finished job and its files are kept"
    )
    result_url_ttl_s: float = Field(
        3600.0, gt=0, description="lifetime of a pre-signed result or image URL"
    )
    job_lease_s: float = Field(
        30.0,
        gt=0,
        description="a running job whose worker has not renewed it for this long is resumed "
        "by another worker (or after a restart)",
    )
    engine: dict[str, Any] = Field(
        default_factory=dict, description="OCR(...) parameters, e.g. ocr_version, cpu_threads"
    )
    florence2: dict[str, Any] | None = Field(
        None,
        description="Florence2(...) parameters (florence_model_dir, image_size, batch_size, "
        "max_new_tokens, num_beams, tile_size, ...): when set, Florence-2 is loaded beside "
        "PP-OCR and answers /predictions, /v1/chat/completions and Replicate predictions; "
        "/ocr and the job API keep PP-OCR",
    )

    @property
    def auth_enabled(self) -> bool:
        return bool(self.tokens)


def load_config(path: str | Path | None = None, **flags: Any) -> ServiceConfig:
    """The file's keys (if any), then every flag that was given (None = not given)."""
    values: dict[str, Any] = {}
    if path:
        try:
            values = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"cannot read service config {path}: {exc}") from None
        if not isinstance(values, dict):
            raise ConfigError(f"service config {path} must be a mapping of keys to values")
    values.update({k: v for k, v in flags.items() if v is not None})
    try:
        config = ServiceConfig(**values)
    except ValidationError as exc:
        raise ConfigError(f"invalid service config: {describe_validation(exc.errors())}") from None
    if values.get("daily_page_limit") is not None and not config.auth_enabled:
        # Pages are counted per token: with no tokens the limit would silently never apply.
        raise ConfigError(
            "invalid service config: daily_page_limit needs tokens (pages are "
            "counted per token); add tokens or remove daily_page_limit"
        )
    return config


def config_from_env() -> ServiceConfig:
    """What `textlens serve` handed to this worker process."""
    text = os.environ.get(ENV_VAR)
    if not text:
        raise ConfigError(f"{ENV_VAR} is not set: start the service with `textlens serve`")
    return ServiceConfig.model_validate_json(text)

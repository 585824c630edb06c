"""/docs (Swagger UI) and /redoc (ReDoc) with no network: textlens serves the assets itself.

FastAPI's pages load their scripts from a CDN, so on the offline hosts textlens is made for they
are blank. The scripts come from the pinned `fastapi-offline` package, read as data from its
installed files (its code is never imported), and are served under ASSETS_PATH.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

from .errors import ServiceError

ASSETS_DIST = "fastapi-offline"
ASSETS_FOLDER = "fastapi_offline/static"  # inside the distribution
ASSETS_PATH = "/docs-assets"
# the files the two pages load, with their media types
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "redoc.standalone.js": "text/javascript",
    "favicon.png": "image/png",
}

router = APIRouter(include_in_schema=False)


@cache
def assets_folder() -> Path:
    """Where the installed asset package keeps its files."""
    try:
        folder = Path(str(distribution(ASSETS_DIST).locate_file(ASSETS_FOLDER)))
    except PackageNotFoundError:
        raise ServiceError(
            404, f"the docs need {ASSETS_DIST}, part of the serve extra: pip install '.[serve]'"
        ) from None
    return folder


def _title(request: Request) -> str:
    return f"{request.app.title} {request.app.version}"


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url,
        title=_title(request),
        swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
    )


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    return get_redoc_html(
        openapi_url=request.app.openapi_url,
        title=_title(request),
        redoc_js_url=f"{ASSETS_PATH}/redoc.standalone.js",
        redoc_favicon_url=f"{ASSETS_PATH}/favicon.png",
        with_google_fonts=False,
    )


@router.get(ASSETS_PATH + "/{name}")
def asset(name: str) -> FileResponse:
    if name not in ASSETS:  # only the listed files: a name is never a path into the disk
        raise ServiceError(404, "Not Found")
    return FileResponse(
        assets_folder() / name,
        media_type=ASSETS[name],
        headers={"Cache-Control": "public, max-age=86400"},
    )

"""The web page at `/`: drop files, see the lines on each page, copy the text, download it.

Hand-written HTML, CSS and JavaScript shipped inside the package (package data, no build step)
and served from it, so the page works on a host with no network, as /docs does. It is a client
of the public API like any other (`/ocr`, the jobs API, `/export`, `/reading-order`,
`/v1/models`, `/predictions` for Florence-2's tasks, the token in `Authorization`), so it can
do nothing a script could not; this module only hands out its files. Only the listed files are
served: a name is never a path into the disk.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from .errors import ServiceError

WEB_PATH = "/web"
# the page's files, inside this package's web/ folder, with their media types
FILES = {
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
    "icon.svg": "image/svg+xml",
}
# The page loads nothing from elsewhere, and a browser that honours this refuses if it tried.
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
)

router = APIRouter(include_in_schema=False)


@cache
def read(name: str) -> bytes:
    """A file of the page, read once from the installed package."""
    return files("textlens.service").joinpath("web", name).read_bytes()


@router.get("/")
def page() -> HTMLResponse:
    return HTMLResponse(read("index.html"), headers={"Content-Security-Policy": POLICY})


@router.get(WEB_PATH + "/{name}")
def asset(name: str) -> Response:
    if name not in FILES:
        raise ServiceError(404, "Not Found")
    return Response(read(name), media_type=FILES[name], headers={"Cache-Control": "no-cache"})

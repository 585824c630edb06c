"""The web page's files, without a browser: shipped in the package, served by name only, and
speaking only to routes the service has."""

from __future__ import annotations

import re
import tomllib
from fnmatch import fnmatch
from importlib.resources import files

import pytest

from conftest import REPO
from textlens.service import ServiceConfig, create_app, web
from textlens.service.errors import ServiceError

FOLDER = files("textlens.service").joinpath("web")
SVG_NAMESPACE = "http://www.w3.org/2000/svg"  # a name inside SVG, never fetched


def _text(name: str) -> str:
    return FOLDER.joinpath(name).read_text(encoding="utf-8")


def test_every_file_the_page_loads_is_listed_and_shipped():
    page = _text("index.html")
    loaded = set(re.findall(r'(?:src|href)="/web/([^"]+)"', page))
    assert loaded == set(web.FILES)
    assert all(FOLDER.joinpath(name).is_file() for name in ["index.html", *web.FILES])
    package_data = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["textlens"]
    for name in ["index.html", *web.FILES]:
        assert any(fnmatch(f"service/web/{name}", pattern) for pattern in package_data), name


def test_the_page_names_no_other_host():
    for name in ["index.html", *web.FILES]:
        text = _text(name).replace(SVG_NAMESPACE, "")
        assert not re.search(r"(?:https?:)?//[\w-]+\.[\w.-]+", text), name
        assert "@import" not in text and "url(" not in text, name


def test_the_script_calls_only_routes_the_service_has():
    routes = set(create_app(ServiceConfig()).openapi()["paths"])  # the public API, documented
    script = _text("app.js")
    called = set(re.findall(r'"(/[\w/.-]+)"', script))
    assert {"/ocr", "/api/v2/ocr/jobs", "/export", "/reading-order", "/v1/models"} <= called
    assert called <= routes
    assert "/api/v2/ocr/jobs/{job_id}" in routes  # `${JOBS}/${this.jobId}`, polled


@pytest.mark.parametrize("name", ["index.html", "../web.py", "app.js/", "%2e%2e%2fweb.py"])
def test_only_the_listed_files_are_served(name):
    with pytest.raises(ServiceError) as refused:
        web.asset(name)
    assert refused.value.status == 404


def test_the_page_forbids_loading_from_elsewhere():
    response = web.page()
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy
    assert b"/web/app.js" in response.body

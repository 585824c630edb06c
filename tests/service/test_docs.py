"""/docs, /redoc and / work offline: every file they load is served by textlens itself."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlparse

import pytest
from lxml import html

from textlens.service.docs import ASSETS, ASSETS_PATH

PAGES = ["/docs", "/redoc", "/"]


def _references(page: str) -> list[str]:
    """Every URL a page names: its src/href attributes and any absolute URL in its text."""
    tree = html.fromstring(page)
    attributes = [
        value
        for element in tree.iter()
        for key, value in element.attrib.items()
        if key in {"src", "href", "spec-url"}
    ]
    return attributes + re.findall(r"(?:https?:)?//[\w.-]+\.\w+", page)


@pytest.mark.parametrize("path", PAGES)
def test_a_docs_page_names_no_outside_host(main_server, path):
    with main_server.client() as client:
        response = client.get(path)
        assert response.status_code == 200 and response.headers["content-type"].startswith(
            "text/html"
        )
        references = _references(response.text)
        assert references, "the page loads nothing: the test would prove nothing"
        for reference in references:
            url = urlparse(urljoin(f"{main_server.url}{path}", reference))
            assert url.netloc == f"127.0.0.1:{main_server.port}", reference
            loaded = client.get(url.path)
            assert loaded.status_code == 200, reference  # every file it needs is here


def test_the_pages_load_the_real_scripts(main_server):
    with main_server.client() as client:
        swagger, redoc = client.get("/docs").text, client.get("/redoc").text
        bundle = client.get(f"{ASSETS_PATH}/swagger-ui-bundle.js")
        standalone = client.get(f"{ASSETS_PATH}/redoc.standalone.js")
        home = client.get("/").text
    assert "SwaggerUIBundle(" in swagger and "'/openapi.json'" in swagger
    assert '<redoc spec-url="/openapi.json">' in redoc
    assert bundle.headers["content-type"].startswith("text/javascript")
    assert "SwaggerUIBundle" in bundle.text and len(bundle.content) > 500_000
    assert "Redoc" in standalone.text and len(standalone.content) > 500_000
    assert {'href="/docs"', 'href="/redoc"', 'href="/openapi.json"'} <= set(
        re.findall(r'href="[^"]+"', home)
    )


def test_only_the_listed_assets_are_served(main_server):
    with main_server.client() as client:
        for name in ASSETS:
            assert client.get(f"{ASSETS_PATH}/{name}").status_code == 200
        for name in ("core.py", "..%2F__init__.py", "%2Fetc%2Fpasswd"):
            response = client.get(f"{ASSETS_PATH}/{name}")
            assert response.status_code == 404 and response.json() == {"detail": "Not Found"}

"""The web page at /, end to end: Debian's chromium, headless, against a real `textlens serve`.

Files go in as a person gives them (dropped, picked, pasted, chosen by keyboard); what the page
shows is read from its DOM and saved as screenshots under the test's output folder (the path is
printed; TEXTLENS_WEB_SCREENSHOT=docs/web.png also saves the README's picture there). Every
request the page makes is recorded, and each test ends by checking none left the server.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader

from conftest import SAMPLES, manifest_items

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is part of the test extra: pip install -e '.[test]'"
)

CHROMIUM = Path("/usr/bin/chromium")
# No sandbox (root in CI), and none of chromium's own traffic: no updates, no sync, no QUIC.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OCR_TIMEOUT_MS = 120_000
README_SHOT = os.environ.get("TEXTLENS_WEB_SCREENSHOT")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def web_server(launch):
    """No tokens, no PDF page cap: the page sends PDFs as jobs, which have none anyway."""
    return launch("web", max_num_input_imgs=None)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.is_file():
        pytest.skip("Debian's chromium is not installed: apt-get install chromium (.ci/run does)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("web-screenshots")
    print(f"web page screenshots: {folder}")
    return folder


class Visit:
    """One fresh browser context on one server: its requests, its errors, its screenshots."""

    def __init__(self, browser, server, shots: Path, **context):
        self.server = server
        self.shots = shots
        self.context = browser.new_context(accept_downloads=True, **context)
        self.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def open(self) -> Visit:
        self.page.goto(f"{self.server.url}/")
        self.page.wait_for_selector("body[data-ready=true]")
        return self

    def shot(self, name: str) -> Path:
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def doc(self, name: str):
        return self.page.locator("article.doc", has=self.page.locator("h3", has_text=name))

    def settled(self, name: str, timeout: float = OCR_TIMEOUT_MS):
        """The document's card once it is read (and its pictures loaded) or has failed."""
        card = self.doc(name)
        card.and_(self.page.locator(".done, .failed")).wait_for(timeout=timeout)
        self.page.wait_for_function(
            "() => [...document.querySelectorAll('.page:not([hidden]) .stage')]"
            ".every((stage) => stage.dataset.loaded)",
            timeout=timeout,
        )
        return card

    def drop(self, files: list[tuple[str, bytes, str]]) -> None:
        """Drop files on the drop zone, as a person dragging them from a file manager."""
        transfer = self.page.evaluate_handle(
            """(files) => {
                const transfer = new DataTransfer();
                for (const f of files) {
                    const bytes = Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0));
                    transfer.items.add(new File([bytes], f.name, { type: f.type }));
                }
                return transfer;
            }""",
            [_payload(*file) for file in files],
        )
        self.page.dispatch_event("#drop", "drop", {"dataTransfer": transfer})

    def paste(self, name: str, data: bytes, kind: str) -> None:
        self.page.evaluate(
            """(f) => {
                const transfer = new DataTransfer();
                const bytes = Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0));
                transfer.items.add(new File([bytes], f.name, { type: f.type }));
                document.dispatchEvent(new ClipboardEvent("paste", {
                    clipboardData: transfer, bubbles: true, cancelable: true }));
            }""",
            _payload(name, data, kind),
        )

    def close(self) -> None:
        """Check that every request went to the server, then close."""
        self.context.close()
        outside = [url for url in self.requests if not _ours(url, self.server.url)]
        assert not outside, f"the page made requests outside the server: {outside}"
        assert not self.errors, f"the page threw: {self.errors}"


def _payload(name: str, data: bytes, kind: str) -> dict:
    return {"name": name, "data": base64.b64encode(data).decode("ascii"), "type": kind}


def _ours(url: str, origin: str) -> bool:
    """The server itself, or the browser's own in-memory URLs (downloads, inline pictures)."""
    return url.startswith((f"{origin}/", "blob:", "data:"))


@pytest.fixture
def visit(browser, web_server, shots):
    opened: list[Visit] = []

    def start(server=None, **context) -> Visit:
        opened.append(Visit(browser, server or web_server, shots, **context))
        return opened[-1].open()

    yield start
    for v in opened:
        v.close()


def _norm(text: str) -> str:
    return "".join(text.split()).lower()


def _found(truth: list[str], shown: str) -> float:
    seen = _norm(shown)
    return sum(_norm(line) in seen for line in truth) / len(truth)


def test_a_dropped_receipt_shows_its_boxes_and_its_words(visit, eval_data):
    item = manifest_items(eval_data, "sroie")[0]
    image = eval_data / "sroie" / item["image"]
    v = visit()
    v.drop([(image.name, image.read_bytes(), "image/jpeg")])
    card = v.settled(image.name)
    assert card.locator(".error").is_hidden()
    boxes = card.locator("svg polygon.box")
    lines = card.locator(".text .line")
    assert boxes.count() == lines.count() >= 0.5 * len(item["lines"])
    truth = [line["text"] for line in item["lines"] if not line.get("ignore")]
    assert _found(truth, card.locator(".text").inner_text()) >= 0.6
    # the boxes are drawn on the picture, in its pixels
    view_box = card.locator("svg").get_attribute("viewBox")
    assert view_box == f"0 0 {item['width']} {item['height']}"
    # hovering a line lights its box and itself; clicking copies it
    line = lines.nth(2)
    line.hover()
    index = line.get_attribute("data-i")
    assert "hot" in card.locator(f'polygon[data-i="{index}"]').get_attribute("class")
    assert "hot" in line.get_attribute("class")
    v.shot("receipt-hover")
    line.click()
    assert v.page.evaluate("() => navigator.clipboard.readText()") == line.inner_text()
    card.locator(".copy-all").click()
    copied = v.page.evaluate("() => navigator.clipboard.readText()")
    assert _found(truth, copied) >= 0.6 and "\n" in copied
    # hovering a box lights its line
    boxes.nth(0).hover(force=True)
    assert "hot" in card.locator(
        f'.line[data-i="{boxes.nth(0).get_attribute("data-i")}"]'
    ).get_attribute("class")


def test_a_pdf_shows_progress_comes_back_after_a_reload_and_gives_a_view_a_page(visit, pdf_doc):
    v = visit()
    name = pdf_doc["path"].name
    v.page.set_input_files("#pick", str(pdf_doc["path"]))
    card = v.doc(name)
    # while the job runs: a progress bar short of the end, counted in pages
    v.page.wait_for_function(
        """(name) => [...document.querySelectorAll('article.doc')].some((doc) =>
            doc.querySelector('h3').textContent === name
            && /of 3 pages/.test(doc.querySelector('.status').textContent)
            && !doc.querySelector('progress').hidden
            && doc.querySelector('progress').value < 3)""",
        arg=name,
        timeout=OCR_TIMEOUT_MS,
    )
    v.shot("pdf-progress")
    assert re.search(r"[0-2] of 3 pages", card.locator(".status").inner_text())
    v.page.reload()  # the job is found again, from this tab's session
    v.page.wait_for_selector("body[data-ready=true]")
    card = v.settled(name)
    assert card.locator(".error").is_hidden()
    views = card.locator(".page")
    assert views.count() == 3
    pager = card.locator(".pager")
    assert pager.locator(".where").inner_text() == "Page 1 of 3"
    for number, truth in enumerate(pdf_doc["pages"], 1):
        view = card.locator(f'.page[data-page="{number}"]')
        assert view.is_visible()
        assert view.locator("polygon.box").count() >= 3
        texts = [line["text"] for line in truth["lines"]]
        assert _found(texts, view.locator(".text").inner_text()) >= 0.8
        assert view.locator("svg").get_attribute("viewBox") == (
            f"0 0 {truth['width']} {truth['height']}"
        )
        if number == 2:
            v.shot("pdf-page-2")
        if number < 3:
            pager.locator(".next").click()
    assert pager.locator(".next").is_disabled()


def test_a_corrupt_file_shows_the_servers_error_and_the_good_one_is_read(
    visit, web_server, corrupt_image, invoice
):
    broken_pdf = b"%PDF-1.7\nthis is not the rest of a PDF\n"
    v = visit()
    v.drop(
        [
            ("cut-short.png", corrupt_image, "image/png"),
            ("broken.pdf", broken_pdf, "application/pdf"),
            ("invoice.png", invoice["bytes"], "image/png"),
        ]
    )
    good = v.settled("invoice.png")
    bad_image, bad_pdf = v.settled("cut-short.png"), v.settled("broken.pdf")
    with web_server.client() as client:  # what the server itself says about each
        said_image = client.post(
            "/ocr", json={"file": base64.b64encode(corrupt_image).decode(), "fileType": 1}
        ).json()["errorMsg"]
        said_pdf = client.post(
            "/api/v2/ocr/jobs",
            files={"file": ("broken.pdf", broken_pdf)},
            data={"model": "PP-OCRv6"},
        ).json()["msg"]
    assert bad_image.locator(".error").inner_text() == said_image
    assert bad_pdf.locator(".error").inner_text() == said_pdf
    assert "failed" in bad_image.get_attribute("class")
    assert good.locator(".error").is_hidden() and good.locator(".page").count() == 1
    truth = [line["text"] for line in invoice["lines"]]
    assert _found(truth, good.locator(".text").inner_text()) >= 0.8
    shot = v.shot("corrupt-and-good")
    if README_SHOT:  # the README's picture: the page, a line of the invoice pointed at
        v.page.set_viewport_size({"width": 1100, "height": 900})
        good.locator(".text .line").nth(2).hover()
        v.page.screenshot(path=README_SHOT, full_page=True)
    assert shot.stat().st_size > 0


def test_the_downloads_are_the_documents_and_the_pdf_is_searchable(visit, invoice, tmp_path):
    v = visit()
    v.page.set_input_files("#pick", str(SAMPLES / "invoice.png"))
    card = v.settled("invoice.png")
    saved = {}
    for fmt in ("json", "txt", "md", "hocr", "alto", "pdf"):
        with v.page.expect_download() as download:
            card.locator(f'.downloads button[data-format="{fmt}"]').click()
        target = tmp_path / download.value.suggested_filename
        download.value.save_as(target)
        saved[fmt] = target
    assert sorted(path.name for path in saved.values()) == sorted(
        [
            "invoice.json",
            "invoice.txt",
            "invoice.md",
            "invoice.hocr",
            "invoice.alto.xml",
            "invoice.pdf",
        ]
    )
    reader = PdfReader(io.BytesIO(saved["pdf"].read_bytes()))
    text = reader.pages[0].extract_text()
    truth = [line["text"] for line in invoice["lines"]]
    assert _found(truth, text) >= 0.8
    if shutil.which("pdftotext"):  # what a PDF reader searches
        import subprocess

        layer = subprocess.run(
            ["pdftotext", str(saved["pdf"]), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert _found(truth, layer) >= 0.8
    assert _found(truth, saved["txt"].read_text()) >= 0.8
    assert "ocr_page" in saved["hocr"].read_text() and "<alto" in saved["alto"].read_text()
    assert '"rec_texts"' in saved["json"].read_text()


def test_at_phone_width_by_keyboard_alone(visit, invoice):
    v = visit(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    # listening before any key is pressed: the browser must know to hand the chooser over
    choosers: list = []
    v.page.on("filechooser", lambda chooser: choosers.append(chooser))
    v.page.keyboard.press("Tab")  # the skip link
    v.page.keyboard.press("Tab")
    assert v.page.evaluate("() => document.activeElement.id") == "choose"
    v.page.keyboard.press("Enter")
    for _ in range(100):
        if choosers:
            break
        v.page.wait_for_timeout(100)
    assert choosers, "Enter on 'Choose files' opened no file chooser"
    choosers[0].set_files(str(SAMPLES / "invoice.png"))
    card = v.settled("invoice.png")
    width = v.page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert width[0] <= width[1], "the page scrolls sideways at phone width"
    for _ in range(40):  # Tab on, past the options and the buttons, to the first line
        v.page.keyboard.press("Tab")
        if v.page.evaluate("() => document.activeElement.classList.contains('line')"):
            break
    first = card.locator(".text .line:focus")
    index = first.get_attribute("data-i")
    assert "hot" in card.locator(f'polygon[data-i="{index}"]').get_attribute("class")
    v.page.keyboard.press("Enter")
    assert v.page.evaluate("() => navigator.clipboard.readText()") == first.inner_text()
    assert v.page.locator("#announce").inner_text() == "Line copied."
    v.page.keyboard.press("Tab")
    assert v.page.evaluate("() => document.activeElement.dataset.i") != index
    v.shot("phone")


def test_a_token_is_asked_for_and_kept_in_the_tab_only(visit, main_server, invoice):
    v = visit(server=main_server)
    form = v.page.locator("#token-form")
    form.wait_for()
    assert form.is_visible() and "needs an API token" in form.inner_text()
    v.shot("token")
    v.page.fill("#token", "alpha-token")
    v.page.keyboard.press("Enter")
    form.wait_for(state="hidden")
    v.paste("pasted.png", invoice["bytes"], "image/png")
    card = v.settled("pasted.png")
    assert card.locator(".error").is_hidden()
    stored = v.page.evaluate(
        "() => [sessionStorage.getItem('textlens.token'), JSON.stringify(localStorage)]"
    )
    assert stored[0] == "alpha-token" and "alpha-token" not in stored[1]


def test_florence_tasks_appear_only_when_the_server_lists_that_model(visit, web_server, invoice):
    """Until the Florence-2 engine lands, the server's answers are stood in for, in the shape
    /v1/models and /predictions give them (the page's side is what is tested)."""
    v = visit()
    v.page.locator("#options summary").click()
    assert v.page.locator("#model").is_visible()
    assert v.page.locator("#florence").is_hidden()  # a PP-OCR server: no task choice
    models = [
        {"id": "textlens-PP-OCRv6", "object": "model", "created": 0},
        {"id": "florence-2-base", "object": "model", "created": 0},
    ]
    v.page.route(
        f"{web_server.url}/v1/models",
        lambda route: route.fulfill(json={"object": "list", "data": models}),
    )
    regions = [
        {"text": "ACME", "bbox": [10, 20, 200, 60]},
        {"text": "Total", "bbox": [10, 80, 90, 110]},
    ]
    output = {
        "task": "OD",
        "total_pages": 1,
        "results": [{"page": 1, "type": "OD", "text": "", "regions": regions, "error": None}],
    }
    asked = []

    def answer(route):
        asked.append(route.request.post_data_json)
        route.fulfill(json={"id": "p", "status": "succeeded", "output": json.dumps(output)})

    v.page.route(f"{web_server.url}/predictions", answer)
    v.page.reload()
    v.page.wait_for_selector("body[data-ready=true]")
    v.page.locator("#options summary").click()
    assert v.page.locator("#florence").is_visible()
    v.page.select_option("#task", "OD")
    v.page.set_input_files("#pick", str(SAMPLES / "invoice.png"))
    card = v.settled("invoice.png")
    assert asked and asked[0]["input"]["task"] == "OD"
    assert asked[0]["input"]["images"][0].startswith("data:image/png;base64,")
    assert card.locator("polygon.box").count() == 2
    assert card.locator(".text").inner_text().split() == ["ACME", "Total"]
    v.shot("florence-regions")


def test_the_page_names_nothing_outside_the_server(web_server):
    with httpx.Client(base_url=web_server.url) as client:
        response = client.get("/")
        policy = response.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "connect-src 'self'" in policy
        for asset in re.findall(r'(?:src|href)="(/[^"]*)"', response.text):
            assert client.get(asset).status_code == 200, asset
    assert not re.search(r"https?://", response.text)

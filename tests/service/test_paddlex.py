"""POST /ocr and GET /health, field for field as PaddleX serving and the PP-OCRv5 API have them."""

from __future__ import annotations

import base64
import io
import uuid

from PIL import Image

PRUNED_KEYS = {
    "model_settings",
    "dt_polys",
    "dt_scores",
    "text_det_params",
    "text_type",
    "textline_orientation_angles",
    "text_rec_score_thresh",
    "rec_texts",
    "rec_scores",
    "rec_polys",
    "rec_boxes",
}


def _jpeg(text: str) -> Image.Image:
    image = Image.open(io.BytesIO(base64.b64decode(text)))
    assert image.format == "JPEG"
    return image


def test_a_page_as_the_hosted_api_example_sends_it(main_server, invoice, invoice_b64, found_lines):
    with main_server.client("alpha-token", scheme="token") as client:
        response = client.post(
            "/ocr",
            json={
                "file": invoice_b64,
                "fileType": 1,
                "useDocOrientationClassify": False,
                "useDocUnwarping": False,
                "useTextlineOrientation": False,
            },
        )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"logId", "errorCode", "errorMsg", "result"}
    assert uuid.UUID(body["logId"]) and (body["errorCode"], body["errorMsg"]) == (0, "Success")
    assert body["result"]["dataInfo"] == {
        "width": invoice["width"],
        "height": invoice["height"],
        "type": "image",
    }
    [page] = body["result"]["ocrResults"]
    pruned = page["prunedResult"]
    assert set(pruned) >= PRUNED_KEYS and not {"input_path", "page_index"} & set(pruned)
    assert found_lines(invoice["lines"], pruned["rec_texts"]) >= 0.5
    assert len(pruned["rec_boxes"]) == len(pruned["rec_texts"]) == len(pruned["rec_scores"])
    # visualize is not sent and the server's default is on: images come back as JPEG.
    assert _jpeg(page["inputImage"]).size == (invoice["width"], invoice["height"])
    assert _jpeg(page["ocrImage"]).size[1] == invoice["height"]
    assert page["docPreprocessingImage"] is None  # no preprocessing ran
    assert main_server.log_has(f"logId={body['logId']} POST /ocr status=200 pages=1 ms=")


def test_every_engine_parameter_reaches_the_engine(main_server, invoice, invoice_b64):
    with main_server.client("alpha-token") as client:
        response = client.post(
            "/ocr",
            json={
                "file": invoice_b64,
                "useDocOrientationClassify": True,
                "useTextlineOrientation": True,
                "inferenceParams": {"maxLongSide": 640},
                "textDetThresh": 0.25,
                "textDetBoxThresh": 0.5,
                "textDetUnclipRatio": 1.8,
                "textRecScoreThresh": 0.9,
                "visualize": True,
            },
        )
    assert response.status_code == 200, response.text
    [page] = response.json()["result"]["ocrResults"]
    pruned = page["prunedResult"]
    assert pruned["text_det_params"] | {"max_side_limit": None} == {
        "limit_side_len": 640,
        "limit_type": "max",
        "thresh": 0.25,
        "box_thresh": 0.5,
        "unclip_ratio": 1.8,
        "max_side_limit": None,
    }
    assert pruned["text_rec_score_thresh"] == 0.9
    assert pruned["rec_scores"] and min(pruned["rec_scores"]) >= 0.9
    assert pruned["model_settings"] == {
        "use_doc_preprocessor": True,
        "use_textline_orientation": True,
    }
    assert pruned["doc_preprocessor_res"]["model_settings"]["use_doc_orientation_classify"]
    assert set(pruned["textline_orientation_angles"]) <= {0, 1}
    # the page as the detector saw it (turned 0 degrees here), at the input's own size
    assert _jpeg(page["docPreprocessingImage"]).size == (invoice["width"], invoice["height"])


def test_a_multi_page_pdf_is_read_up_to_the_page_cap(main_server, pdf_doc, found_lines):
    truth = pdf_doc["pages"]
    data = base64.b64encode(pdf_doc["path"].read_bytes()).decode()
    with main_server.client("alpha-token") as client:
        response = client.post(
            "/ocr",
            json={
                "file": data,
                "visualize": False,
                "textDetLimitType": "min",
                "textDetLimitSideLen": 736,
            },
        )
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert len(result["ocrResults"]) == 2  # the file has 3 pages; this server caps at 2
    assert result["dataInfo"] == {
        "numPages": 2,
        "type": "pdf",
        "pages": [{"width": truth[n]["width"], "height": truth[n]["height"]} for n in (0, 1)],
    }
    for number, page in enumerate(result["ocrResults"]):
        assert page["ocrImage"] is page["inputImage"] is page["docPreprocessingImage"] is None
        pruned = page["prunedResult"]
        assert pruned["text_det_params"]["limit_type"] == "min"
        assert pruned["text_det_params"]["limit_side_len"] == 736
        assert found_lines(truth[number]["lines"], pruned["rec_texts"]) >= 0.5


def _bad_bodies(invoice_b64: str, pdf_b64: str) -> list[tuple[object, str]]:
    return [
        ({}, "file: Field required"),
        ({"file": 123}, "file: Input should be a valid string"),
        ({"file": "%%% not base64"}, "neither valid base64 nor an http(s) URL"),
        ({"file": base64.b64encode(b"plain text").decode()}, "not a supported image"),
        ({"file": pdf_b64[:4000]}, "PDF"),  # cut short
        ({"file": invoice_b64, "fileType": 0}, "fileType is 0 (PDF) but the file is not a PDF"),
        ({"file": pdf_b64, "fileType": 1}, "fileType is 1 (image) but the file is a PDF"),
        ({"file": invoice_b64, "fileType": 2}, "fileType"),
        ({"file": invoice_b64, "textDetLimitType": "diagonal"}, "textDetLimitType"),
        ({"file": invoice_b64, "textDetThresh": -1}, "textDetThresh"),
        ({"file": invoice_b64, "textDetLimitSideLen": 0}, "textDetLimitSideLen"),
        ({"file": invoice_b64, "visualize": "sometimes"}, "visualize"),
        ({"file": "https://example.com/scan.jpg"}, "URL inputs are disabled"),
        ("{not json", "not valid JSON"),
        (b"\n[\xff\x03\x7f", "could not be read as JSON"),  # not even UTF-8
    ]


def test_parameter_errors_answer_500_in_the_envelope(main_server, invoice_b64, pdf_path):
    pdf_b64 = base64.b64encode(pdf_path.read_bytes()).decode()
    with main_server.client("alpha-token") as client:
        for body, words in _bad_bodies(invoice_b64, pdf_b64):
            if isinstance(body, (str, bytes)):
                response = client.post(
                    "/ocr", content=body, headers={"Content-Type": "application/json"}
                )
            else:
                response = client.post("/ocr", json=body)
            assert response.status_code == 500, body if len(str(body)) < 99 else words
            payload = response.json()
            assert set(payload) == {"logId", "errorCode", "errorMsg"}
            assert payload["errorCode"] == 500 and words in payload["errorMsg"], payload
            assert "Traceback" not in response.text and "internal" not in payload["errorMsg"]
        assert client.get("/health").json()["errorMsg"] == "Healthy"  # still serving


def test_extreme_parameters_do_not_break_the_engine(main_server, blank_pdf):
    page = base64.b64encode(blank_pdf(1)).decode()
    with main_server.client("alpha-token") as client:
        for extreme in (
            {"textDetLimitSideLen": 10**9},
            {"textDetUnclipRatio": 10},
            {"textDetThresh": 1e-9, "textDetBoxThresh": 1e-9},
            {"textDetLimitSideLen": 1, "textDetLimitType": "min"},
        ):
            response = client.post("/ocr", json={"file": page, "visualize": False, **extreme})
            assert response.status_code == 200, (extreme, response.text)


def test_health_is_the_paddlex_envelope(main_server):
    with main_server.client() as client:
        body = client.get("/health").json()
    assert body["errorCode"] == 0 and body["errorMsg"] == "Healthy" and uuid.UUID(body["logId"])


def test_a_lifted_cap_reads_every_page(edge_server, blank_pdf):
    pages = 12  # past the default cap of 10: this server has max_num_input_imgs: null
    data = base64.b64encode(blank_pdf(pages)).decode()
    with edge_server.client() as client:
        response = client.post("/ocr", json={"file": data, "fileType": 0, "visualize": False})
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert len(result["ocrResults"]) == result["dataInfo"]["numPages"] == pages

"""POST /v1/chat/completions and GET /v1/models: OpenAI-compatible access (seed 001).

The way hosted Florence-2 is reached: a user message with one image (`image_url`: a data URI,
or a URL when the server allows them) and a task prompt, `<OCR>` or `<OCR_WITH_REGION>`. The
answer is the assistant message: the page's text, or a JSON string of regions
`[{"text", "bbox": [x1, y1, x2, y2]}]`. Usage counts what this service meters instead of model
tokens: prompt_tokens = pages read (1 per image), completion_tokens = characters returned.
Errors use OpenAI's `{"error": {...}}` body, so OpenAI client libraries raise them properly.
"""

from __future__ import annotations

import json
import time
from contextlib import closing
from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from ..errors import ConfigError, InputError
from ..florence2 import Florence2
from ..florence2.tasks import check_input, find
from ..inputs import Source, is_pdf
from ..pipeline import OCR
from .errors import Face, ServiceError, documented
from .florence import page_fields
from .host import caller, host_of
from .runner import JobControl

router = APIRouter(prefix="/v1", tags=["OpenAI-compatible"])

PROMPTS = {"<OCR>": "OCR", "<OCR_WITH_REGION>": "OCR_WITH_REGION"}
# OpenAI's error types by status; a missing or bad key is 401 invalid_request_error there
_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    413: "invalid_request_error",
    429: "insufficient_quota",
    503: "server_busy",
    504: "timeout",
}
_STARTED = int(time.time())


def _error_body(log_id: str, status: int, message: str, code: str | None) -> dict[str, Any]:
    return {
        "error": {
            "message": message,
            "type": _ERROR_TYPES.get(status, "server_error"),
            "param": None,
            "code": code,
            "logId": log_id,
        }
    }


FACE = Face("/v1", 400, _error_body, auth_status=401)


class ErrorInfo(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None
    logId: str


class ErrorBody(BaseModel):
    error: ErrorInfo


class ImageUrl(BaseModel):
    url: str = Field(description="data:image/...;base64,... or an http(s) URL")
    detail: str | None = None


class TextPart(BaseModel):
    type: Literal["text"]
    text: str


class ImagePart(BaseModel):
    type: Literal["image_url"]
    image_url: ImageUrl | str


class ChatMessage(BaseModel):
    role: str
    content: str | list[Annotated[TextPart | ImagePart, Field(discriminator="type")]] | None = None


class ChatRequest(BaseModel):
    model: str | None = Field(None, description="any name: one engine answers (see /v1/models)")
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool | None = False


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop"] = "stop"


class Usage(BaseModel):
    prompt_tokens: int = Field(description="pages read: 1 per image")
    completion_tokens: int = Field(description="characters in the answer")
    total_tokens: int


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "textlens"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


def model_id(engine: OCR | Florence2) -> str:
    if isinstance(engine, Florence2):
        return engine.model_id
    return f"textlens-{engine.settings.ocr_version}"


@router.get(
    "/models",
    response_model=ModelList,
    summary="The model this server answers with",
    responses=documented(ErrorBody, 401),
)
async def list_models(request: Request, token: str | None = Depends(caller)) -> ModelList:
    host = host_of(request)
    engines: list[OCR | Florence2] = [host.engine]
    if host.florence is not None:
        engines.insert(0, host.florence)
    return ModelList(data=[ModelCard(id=model_id(e), created=_STARTED) for e in engines])


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    summary="OCR one image",
    responses=documented(ErrorBody, 400, 401, 413, 429, 503, 504),
)
async def chat(
    body: ChatRequest, request: Request, token: str | None = Depends(caller)
) -> ChatCompletion:
    if body.stream:
        raise ServiceError(400, "stream: true is not supported; ask without streaming")
    prompt, image = _prompt_and_image(body.messages)
    host = host_of(request)
    # the model a client names, where it is PP-OCR's; any other name: the Florence faces' engine
    engine = host.engine if body.model == model_id(host.engine) else host.florence_engine
    task, text_input = _task(engine, prompt)
    data = image_source(await host.read(image, "image_url"), "image_url")
    source = Source(name="image_url", data=data)
    job = partial(_answer, engine, source, task, text_input)
    content = await host.execute(request, token, 1, job)  # one image, its first frame: one page
    return ChatCompletion(
        id=f"chatcmpl-{request.state.log_id}",
        created=int(time.time()),
        model=model_id(engine),
        choices=[Choice(message=AssistantMessage(content=content))],
        usage=Usage(prompt_tokens=1, completion_tokens=len(content), total_tokens=1 + len(content)),
    )


def image_source(data: bytes, label: str) -> bytes:
    """The one image of a chat request; a PDF has pages, which /ocr and /predictions read."""
    if is_pdf(data):
        raise InputError(
            f"{label}: a PDF; a chat request reads one image (send PDFs to /ocr or /predictions)"
        )
    return data


def _prompt_and_image(messages: list[ChatMessage]) -> tuple[str, str]:
    """The last user message's task prompt and its one image."""
    user = next((m for m in reversed(messages) if m.role == "user"), None)
    if user is None:
        raise ServiceError(400, "messages: no user message")
    parts = (
        user.content
        if isinstance(user.content, list)
        else [TextPart(type="text", text=user.content or "")]
    )
    images = [
        p.image_url if isinstance(p.image_url, str) else p.image_url.url
        for p in parts
        if isinstance(p, ImagePart)
    ]
    if len(images) != 1:
        raise ServiceError(
            400, f"the user message must hold exactly one image_url part, not {len(images)}"
        )
    prompt = "".join(p.text for p in parts if isinstance(p, TextPart)).strip() or "<OCR>"
    return prompt, images[0]


def _task(engine: OCR | Florence2, prompt: str) -> tuple[str, str | None]:
    """The prompt's task (seed 000's name) and text input: PP-OCR reads `<OCR>` and
    `<OCR_WITH_REGION>`; Florence-2 any task token, followed by its phrase or region."""
    if isinstance(engine, OCR):
        if prompt not in PROMPTS:
            raise ServiceError(
                400,
                f"unsupported prompt {prompt[:40]!r}: use {' or '.join(PROMPTS)} (other "
                "Florence-2 prompts need a server started with --engine florence2)",
            )
        return PROMPTS[prompt], None
    token, _, rest = prompt.partition(">")
    try:
        task = find(token + ">")
        check_input(task, rest.strip() or None)
    except ConfigError as exc:
        raise ServiceError(400, f"prompt {prompt[:40]!r}: {exc}") from None
    return task.name, rest.strip() or None


def _answer(
    engine: OCR | Florence2, source: Source, task: str, text_input: str | None, control: JobControl
) -> str:
    """Runs in the OCR thread: the assistant's answer for one image: the text, or a JSON
    string of the regions (`[{"text", "bbox"}]`, with `polygons` for segmentation)."""
    # one image a request (a PDF was refused before): a TIFF answers with its first frame
    if isinstance(engine, OCR):
        with closing(engine.read([source], between_pages=control.check)) as read:
            _, result = next(read)
        fields = page_fields(result, task, False)
    else:
        token = find(task).token
        with closing(engine.read([source], token, text_input, between_pages=control.check)) as got:
            _, answer = next(got)
        fields = page_fields(answer, task, False)
    found = fields.get("regions")
    if task == "OCR" or not found:
        return str(fields["text"])
    assert isinstance(found, list)
    return json.dumps([r.model_dump() for r in found], ensure_ascii=False)

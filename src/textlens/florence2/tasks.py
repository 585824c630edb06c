"""Florence-2's prompt tasks: which input each takes and what kind of answer it generates.

Florence-2 is told what to do by a task token (`<OD>`, `<OCR>`, ...), some followed by a text or
a region. The question each token stands for is the processor's (transformers' own table, the
one the model was trained with); what is kept here is what textlens needs to check a request
and read the answer: the input a task takes, and the shape of what it generates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..errors import ConfigError

# what follows the token: nothing, free text (a caption, a phrase), or a region of the image
InputKind = Literal["none", "text", "region"]
# the answer's shape: text; labelled boxes; labelled quadrilaterals (text lines); polygons;
# boxes or polygons (open-vocabulary detection gives either); text with the region it names
AnswerKind = Literal["text", "boxes", "quads", "polygons", "boxes_or_polygons"]


@dataclass(frozen=True)
class Task:
    token: str  # "<OD>"
    takes: InputKind
    answer: AnswerKind
    help: str

    @property
    def name(self) -> str:
        """The token without its brackets, as seed 000 names tasks ("OCR_WITH_REGION")."""
        return self.token.strip("<>")

    @property
    def is_ocr(self) -> bool:
        return self.token in OCR_TASKS


def _task(token: str, takes: InputKind, answer: AnswerKind, help: str) -> tuple[str, Task]:
    return token, Task(token, takes, answer, help)


TASKS: dict[str, Task] = dict(
    [
        _task("<CAPTION>", "none", "text", "a one-line caption"),
        _task("<DETAILED_CAPTION>", "none", "text", "a caption of a few sentences"),
        _task("<MORE_DETAILED_CAPTION>", "none", "text", "a paragraph describing the image"),
        _task("<OD>", "none", "boxes", "objects: a category and a box each"),
        _task("<DENSE_REGION_CAPTION>", "none", "boxes", "objects: a short description each"),
        _task("<REGION_PROPOSAL>", "none", "boxes", "boxes of likely objects, unlabelled"),
        _task("<CAPTION_TO_PHRASE_GROUNDING>", "text", "boxes", "boxes of a caption's phrases"),
        _task(
            "<REFERRING_EXPRESSION_SEGMENTATION>",
            "text",
            "polygons",
            "the outline of what a phrase refers to",
        ),
        _task("<REGION_TO_SEGMENTATION>", "region", "polygons", "the outline of a region's object"),
        _task(
            "<OPEN_VOCABULARY_DETECTION>",
            "text",
            "boxes_or_polygons",
            "boxes (or outlines) of a named kind of object",
        ),
        _task("<REGION_TO_CATEGORY>", "region", "text", "the category of a region's object"),
        _task("<REGION_TO_DESCRIPTION>", "region", "text", "a description of a region"),
        _task("<REGION_TO_OCR>", "region", "text", "the text inside a region"),
        _task("<OCR>", "none", "text", "the text of the image"),
        _task("<OCR_WITH_REGION>", "none", "quads", "text lines, each with its quadrilateral"),
    ]
)
OCR_TASKS = ("<OCR>", "<OCR_WITH_REGION>")
DEFAULT_TASK = "<OCR>"


def find(task: str) -> Task:
    """A task by its token or its bare name (`<OD>` or `OD`, any case)."""
    token = task.strip().upper()
    token = token if token.startswith("<") else f"<{token}>"
    if token not in TASKS:
        raise ConfigError(f"unknown Florence-2 task {task!r}: choose one of {', '.join(TASKS)}")
    return TASKS[token]


Box = tuple[float, float, float, float]


def region_tokens(box: Box, width: int, height: int) -> str:
    """A region of the image (x1, y1, x2, y2 in its pixels) as the four location tokens
    Florence-2 reads: the image's width and height are each cut into 1000 bins."""
    bins = []
    for value, side in zip(box, (width, height, width, height)):
        bins.append(min(999, max(0, int(value / side * 1000))))
    return "".join(f"<loc_{b}>" for b in bins)


def parse_box(text: str) -> Box:
    """A region given as text: `x1,y1,x2,y2` in pixels (brackets and spaces allowed)."""
    parts = [p for p in text.replace("[", " ").replace("]", " ").replace(",", " ").split() if p]
    try:
        x1, y1, x2, y2 = (float(p) for p in parts)
    except ValueError:
        raise ConfigError(
            f"a region must be four numbers x1,y1,x2,y2 in the image's pixels, not {text!r}"
        ) from None
    if not (x2 > x1 and y2 > y1):
        raise ConfigError(f"a region needs x2 > x1 and y2 > y1, not {text!r}")
    return x1, y1, x2, y2


def check_input(task: Task, text_input: str | None) -> None:
    """A task that takes an input must get one, and one that takes none must not."""
    if task.takes == "none" and text_input:
        raise ConfigError(f"{task.token} takes no text input")
    if task.takes != "none" and not (text_input and text_input.strip()):
        what = "a phrase" if task.takes == "text" else "a region x1,y1,x2,y2 (pixels)"
        raise ConfigError(f"{task.token} needs {what} as its text input")
    if task.takes == "region":
        assert text_input is not None
        parse_box(text_input)

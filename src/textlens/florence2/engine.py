"""Florence2: the second engine, transformers' Florence-2 on the CPU, beside PP-OCR's OCR.

A page goes through the same decoding as OCR's (EXIF orientation applied, PDFs page by page,
the next page decoded while this one is read). Each image is squashed to the model's square
(seed 000's resize: no padding, so every bin of the answer maps linearly back to the page),
several images share one generate call, and the answer is parsed into typed regions in the
page's own pixels. OCR tasks may read a large page as tiles (tiling.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from PIL import Image

from ..config import FlorenceSettings, resolve_florence
from ..errors import TextlensError
from ..images import to_pil
from ..inputs import Page, Source, iter_sources, read_pages
from ..reading_order import reading_order
from ..runtime import default_threads
from . import tiling
from .loader import load
from .parse import Frame, parse
from .result import Florence2Result, Region
from .tasks import DEFAULT_TASK, TASKS, Task, check_input, find, parse_box, region_tokens


@dataclass
class _Item:
    """One image of a generate call: a page or a tile of it, and where it lies on the page."""

    page: int  # position of its page in the batch
    image: Image.Image
    prompt: str
    tile: tiling.Tile


class Florence2:
    """Florence-2 (base or large) from a local folder; every prompt task of the model.

    Build it once and reuse it: the model loads here. `predict(input, task="<OD>")` answers
    one Florence2Result per page; for the OCR tasks `result.to_ocr()` is an OCRResult.
    """

    def __init__(self, florence_model_dir: str | None = None, **params: Any):
        self.settings: FlorenceSettings = resolve_florence(
            florence_model_dir=florence_model_dir, **params
        )
        s = self.settings
        self._threads = s.cpu_threads or default_threads()
        self._loaded = load(s.florence_model_dir, self._threads)
        self.name = self._loaded.name
        self.image_size = s.image_size or self._own_size()
        self._loaded.processor.num_image_tokens = self._image_tokens(self.image_size)
        self._lock = threading.Lock()  # one generate call at a time: the model is shared

    @property
    def model_id(self) -> str:
        """How the service names this engine (/v1/models)."""
        return f"textlens-{self.name}"

    def _own_size(self) -> int:
        size = self._loaded.processor.image_processor.size
        height = size.get("height") if isinstance(size, dict) else getattr(size, "height", None)
        return int(height or 768)

    def _image_tokens(self, side: int) -> int:
        """Image tokens the vision tower gives for a square of `side`: its grid after every
        strided convolution, plus the one pooled token."""
        vision = self._loaded.model.config.vision_config
        for kernel, stride, pad in zip(
            vision.patch_size, vision.patch_stride, vision.patch_padding
        ):
            side = (side + 2 * pad - kernel) // stride + 1
        return side * side + 1

    def read(
        self,
        sources: Iterable[Source],
        task: str = DEFAULT_TASK,
        text_input: str | None = None,
        *,
        max_pdf_pages: int | None = None,
        between_pages: Callable[[], None] | None = None,
    ) -> Generator[tuple[Page, Florence2Result], None, None]:
        """The page loop every face runs, as OCR.read: each page with its answer.

        Pages are read batch_size at a time (one generate call); `between_pages` runs before
        each batch, and a page that fails to decode raises after the pages before it."""
        chosen = find(task)
        check_input(chosen, text_input)
        decoded = read_pages(sources, self.settings.pdf_dpi, max_pdf_pages)
        for batch in _batches(decoded, self.settings.batch_size):
            if between_pages is not None:
                between_pages()
            yield from zip(batch, self._answer(batch, chosen, text_input))

    def predict_iter(
        self, input: Any, task: str = DEFAULT_TASK, text_input: str | None = None
    ) -> Iterator[Florence2Result]:
        """Answers one page at a time."""
        for _, result in self.read(iter_sources(input), task, text_input):
            yield result

    def predict(
        self, input: Any, task: str = DEFAULT_TASK, text_input: str | None = None
    ) -> list[Florence2Result]:
        """All answers as a list (one per page)."""
        return list(self.predict_iter(input, task, text_input))

    def _answer(
        self, batch: list[Page], task: Task, text_input: str | None
    ) -> list[Florence2Result]:
        tiled = task.is_ocr and self.settings.tile_size is not None
        asked = TASKS["<OCR_WITH_REGION>"] if tiled else task
        items = [
            item for n, page in enumerate(batch) for item in self._items(n, page, asked, text_input)
        ]
        answers: list[str] = []
        size = self.settings.batch_size
        for start in range(0, len(items), size):
            answers.extend(self.generate(items[start : start + size]))
        results = []
        for n, page in enumerate(batch):
            mine = [(item, answer) for item, answer in zip(items, answers) if item.page == n]
            parsed = [
                (item.tile, parse(asked, answer, item.tile.frame, text_input))
                for item, answer in mine
            ]
            regions = tiling.merge([(tile, found) for tile, (_, found) in parsed])
            text = "\n".join(t for _, (t, _) in parsed if t)
            results.append(
                self._result(page, task, text_input, text, regions, [a for _, a in mine])
            )
        return results

    def _items(self, n: int, page: Page, task: Task, text_input: str | None) -> list[_Item]:
        image = to_pil(page.image)
        width, height = image.size
        prompt = task.token
        if task.takes == "region":
            assert text_input is not None  # check_input
            prompt += region_tokens(parse_box(text_input), width, height)
        elif task.takes == "text":
            prompt += text_input or ""
        if task.token == "<OCR_WITH_REGION>" and self.settings.tile_size is not None:
            cut = tiling.tiles(width, height, self.settings.tile_size, self.settings.tile_overlap)
        else:
            cut = [tiling.Tile(Frame(0, 0, width, height), (0, 0, float(width), float(height)))]
        out = []
        for tile in cut:
            f = tile.frame
            crop = image if len(cut) == 1 else image.crop((f.x, f.y, f.x + f.width, f.y + f.height))
            out.append(_Item(n, crop, prompt, tile))
        return out

    def generate(self, items: list[_Item]) -> list[str]:
        """One generate call over the items' images: what the model wrote for each, its
        special tokens kept (they carry the places)."""
        import torch

        processor, model = self._loaded.processor, self._loaded.model
        side = self.image_size
        with self._lock:
            inputs = processor(
                text=[item.prompt for item in items],
                images=[item.image for item in items],
                return_tensors="pt",
                padding=True,
                size={"height": side, "width": side},
            )
            with torch.inference_mode():
                ids = model.generate(
                    **inputs,
                    max_new_tokens=self.settings.max_new_tokens,
                    num_beams=self.settings.num_beams,
                    do_sample=False,
                )
        return processor.batch_decode(ids, skip_special_tokens=False)

    def _result(
        self,
        page: Page,
        task: Task,
        text_input: str | None,
        text: str,
        regions: list[Region],
        generated: list[str],
    ) -> Florence2Result:
        result = Florence2Result(
            task=task.token,
            text=text,
            regions=regions,
            name=page.name,
            input_path=page.input_path,
            page_index=page.page_index,
            image=page.image,
            text_input=text_input,
            generated=generated,
            ext=page.ext,
            dpi=page.dpi,
        )
        if any(r.quad is not None for r in regions):  # text lines: the OCR's reading order
            result.regions = [regions[i] for i in reading_order([r.box for r in regions])]
            result.text = result.to_ocr().text
        return result


def _batches(items: Iterator[Page], size: int) -> Iterator[list[Page]]:
    """Pages in batches of `size`; a page that fails to decode ends the batch before it,
    which is read first, and then raises."""
    batch: list[Page] = []
    error: TextlensError | None = None
    try:
        for item in items:
            batch.append(item)
            if len(batch) == size:
                yield batch
                batch = []
    except TextlensError as exc:
        error = exc
    if batch:
        yield batch
    if error is not None:
        raise error

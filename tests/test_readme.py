"""The README's facts, checked against the code: what it lists is what textlens has."""

from __future__ import annotations

import re
import tomllib

from conftest import REPO, SAMPLES
from textlens.config import PARAMETERS

README = (REPO / "README.md").read_text(encoding="utf-8")
STAGES = (
    "doc_orientation_classify",
    "doc_unwarping",
    "text_detection",
    "textline_orientation",
    "text_recognition",
)


def _table(heading_cell: str) -> list[list[str]]:
    """Rows of the README table whose header row starts with `| heading_cell |`."""
    lines = README.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {heading_cell} |"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def _names(cell: str) -> set[str]:
    return set(re.findall(r"`([^`]+)`", cell))


def test_the_parameter_table_is_the_engines_parameters():
    rows = _table("parameter")
    listed = set().union(*(_names(row[0]) for row in rows))
    per_call = {name.rstrip("*") for row in rows for name in re.findall(r"`([^`]+)`\*", row[0])}
    stage_rows = {"<stage>_model_name", "<stage>_model_dir"}
    assert stage_rows <= listed
    expanded = (listed - stage_rows) | {
        f"{stage}_model_{kind}" for stage in STAGES for kind in ("name", "dir")
    }
    assert expanded == set(PARAMETERS)
    assert per_call == {name for name, f in PARAMETERS.items() if f.metadata["per_call"]}


def test_the_json_keys_are_the_keys_a_result_has(ocr):
    paragraph = README[README.index("`res.json` is") : README.index("Coordinates are pixels")]
    listed = _names(paragraph) - {"res.json", '{"res": {...}}', "print()"}
    [result] = ocr.predict(
        str(SAMPLES / "invoice.png"), return_word_box=True, use_doc_orientation_classify=True
    )
    assert listed == set(result.json["res"])


def test_the_service_keys_are_the_config_fields():
    from textlens.service.settings import ServiceConfig

    listed = set().union(*(_names(row[0]) for row in _table("key")))
    assert listed == set(ServiceConfig.model_fields)


def test_every_install_command_works_from_a_clone():
    extras = set(
        tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    )
    installs = re.findall(r"pip install ([^`\n&]+)", README)
    assert installs
    for command in installs:
        assert "textlens[" not in command, command  # textlens is not on PyPI: install '.[x]'
        for asked in re.findall(r"\.\[([\w,]+)\]", command):
            assert set(asked.split(",")) <= extras, command

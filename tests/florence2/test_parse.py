"""The parsers on strings Florence-2 writes (the model card's tasks, their token grammar)."""

from __future__ import annotations

import pytest

from textlens.errors import ConfigError
from textlens.florence2.parse import Frame, parse
from textlens.florence2.tasks import TASKS, check_input, find, parse_box, region_tokens

PAGE = Frame(0, 0, 1000, 2000)  # one bin: 1 px across, 2 px down; a bin's centre is +0.5
BOX = "<loc_54><loc_375><loc_906><loc_707>"


def _parse(task: str, text: str, frame: Frame = PAGE, text_input: str | None = None):
    return parse(TASKS[task], text, frame, text_input)


def test_od_gives_each_category_its_box_in_page_pixels():
    text, regions = _parse("<OD>", f"</s><s>car{BOX}wheel<loc_709><loc_576><loc_832><loc_703></s>")
    assert text == ""
    assert [(r.label, r.box) for r in regions] == [
        ("car", [54.5, 751.0, 906.5, 1415.0]),
        ("wheel", [709.5, 1153.0, 832.5, 1407.0]),
    ]


def test_a_frame_places_bins_on_its_tile():
    _, [region] = _parse("<OD>", f"<s>car{BOX}</s>", Frame(100, 50, 500, 500))
    assert region.box == [127.25, 237.75, 553.25, 403.75]


def test_dense_captions_keep_their_words_and_proposals_have_no_label():
    _, [region] = _parse("<DENSE_REGION_CAPTION>", f"<s>turquoise Volkswagen Beetle{BOX}</s>")
    assert region.label == "turquoise Volkswagen Beetle"
    _, regions = _parse("<REGION_PROPOSAL>", f"<s>{BOX}{BOX}<loc_1><loc_2><loc_3></s>")
    assert [r.label for r in regions] == ["", ""]  # the unfinished third box is dropped


def test_phrase_grounding_gives_a_phrase_every_box_it_names():
    _, regions = _parse(
        "<CAPTION_TO_PHRASE_GROUNDING>",
        f"<s>A green car{BOX}a yellow building<loc_0><loc_0><loc_998><loc_340>{BOX}</s>",
        text_input="A green car parked in front of a yellow building.",
    )
    assert [r.label for r in regions] == ["A green car", "a yellow building", "a yellow building"]


def test_segmentation_gives_polygons_split_at_sep_labelled_by_the_expression():
    tri = "<loc_100><loc_100><loc_200><loc_100><loc_200><loc_200>"
    _, [region] = _parse(
        "<REFERRING_EXPRESSION_SEGMENTATION>",
        f"<s>{tri}<sep>{tri}<loc_7></s>",
        text_input="a green car",
    )
    assert region.label == "a green car"
    assert region.polygons == [[100.5, 201.0, 200.5, 201.0, 200.5, 401.0]] * 2
    assert region.box == [100.5, 201.0, 200.5, 401.0]
    _, [region] = _parse("<REGION_TO_SEGMENTATION>", f"<s>{tri}<loc_100><loc_200></s>")
    assert len(region.polygons[0]) == 8 and region.label == ""


def test_open_vocabulary_detection_gives_boxes_or_one_region_per_poly():
    _, [box] = _parse("<OPEN_VOCABULARY_DETECTION>", f"<s>a green car{BOX}</s>")
    assert box.label == "a green car" and not box.polygons
    tri = "<loc_1><loc_1><loc_9><loc_1><loc_9><loc_9>"
    _, regions = _parse(
        "<OPEN_VOCABULARY_DETECTION>", f"<s>a green car<poly>{tri}</poly><poly>{tri}</poly></s>"
    )
    assert [r.label for r in regions] == ["a green car", "a green car"]
    assert all(len(r.polygons) == 1 for r in regions)


def test_region_tasks_answer_text_and_the_region_they_name():
    text, [region] = _parse("<REGION_TO_CATEGORY>", f"<s>car{BOX}</s>")
    assert text == "car" and region.label == "car"
    text, _ = _parse("<REGION_TO_DESCRIPTION>", f"<s>turquoise Volkswagen Beetle{BOX}</s>")
    assert text == "turquoise Volkswagen Beetle"


@pytest.mark.parametrize("task", ["<CAPTION>", "<DETAILED_CAPTION>", "<MORE_DETAILED_CAPTION>"])
def test_captions_are_their_text(task):
    text, regions = _parse(task, "</s><s>A green car parked in front of a yellow building.</s>")
    assert text == "A green car parked in front of a yellow building." and regions == []


def test_ocr_is_the_text_and_ocr_with_region_a_quad_per_line():
    assert _parse("<OCR>", "<s>CUDA FOR ENGINEERS</s><pad><pad>") == ("CUDA FOR ENGINEERS", [])
    quad = "<loc_100><loc_100><loc_500><loc_100><loc_500><loc_150><loc_100><loc_150>"
    text, regions = _parse("<OCR_WITH_REGION>", f"<s>CUDA{quad}FOR ENGINEERS{quad}</s>")
    assert text == "CUDA\nFOR ENGINEERS"
    assert regions[0].quad == [100.5, 201.0, 500.5, 201.0, 500.5, 301.0, 100.5, 301.0]
    assert regions[0].box == [100.5, 201.0, 500.5, 301.0]


def test_noise_parses_to_nothing_rather_than_failing():
    for task in TASKS.values():
        parse(task, "<s><loc_5>a<sep></poly><poly><loc_>< b <pad></s>", PAGE)


def test_tasks_are_found_by_token_or_name_and_their_inputs_checked():
    assert find("od") is find("<OD>") is TASKS["<OD>"]
    with pytest.raises(ConfigError, match="unknown Florence-2 task"):
        find("<SING>")
    with pytest.raises(ConfigError, match="needs a phrase"):
        check_input(TASKS["<CAPTION_TO_PHRASE_GROUNDING>"], None)
    with pytest.raises(ConfigError, match="takes no text input"):
        check_input(TASKS["<OD>"], "a cat")
    with pytest.raises(ConfigError, match="four numbers"):
        check_input(TASKS["<REGION_TO_CATEGORY>"], "1,2,3")
    assert parse_box("[10, 20, 110, 220]") == (10, 20, 110, 220)
    assert region_tokens((0, 0, 1000, 2000), 1000, 2000) == "<loc_0><loc_0><loc_999><loc_999>"

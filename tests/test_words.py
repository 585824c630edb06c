"""Word boxes from CTC spans: characters widened to their neighbours, words cut at spaces.

The end-to-end check against a real PDF's own word boxes is in tests/export/test_word_boxes.py.
"""

import itertools

import numpy as np
import pytest

from textlens.words import char_extents, reframe, word_boxes

QUAD = np.array([[100, 50], [300, 50], [300, 70], [100, 70]], dtype=np.float32)


def test_extents_are_gap_free_and_wider_than_the_ctc_spans():
    spans = ((0.30, 0.32), (0.40, 0.42), (0.50, 0.52), (0.60, 0.62))
    extents = char_extents(spans)
    assert all(a[1] == pytest.approx(b[0]) for a, b in itertools.pairwise(extents))
    assert all(e[0] <= s[0] and e[1] >= s[1] for e, s in zip(extents, spans))
    assert extents[1] == pytest.approx((0.36, 0.46))  # midpoints between span centres
    assert extents[0][0] == pytest.approx(0.25)  # half a pitch before the first span
    assert extents[-1][1] == pytest.approx(0.67)


def test_extents_stay_within_the_line():
    extents = char_extents(((0.0, 0.05), (0.95, 1.0)))
    assert extents[0][0] == 0.0 and extents[-1][1] == 1.0


def test_a_lone_character_takes_the_whole_line():
    (word,) = word_boxes("7", ((0.4, 0.42),), QUAD)
    assert word.box == [100, 50, 300, 70]


def test_words_split_at_spaces_and_leave_the_space_between_them():
    text = "ab cd"
    spans = ((0.1, 0.12), (0.2, 0.22), (0.4, 0.42), (0.6, 0.62), (0.7, 0.72))
    first, second = word_boxes(text, spans, QUAD)
    assert (first.text, second.text) == ("ab", "cd")
    assert first.box[0] < 100 + 0.1 * 200 and second.box[2] > 100 + 0.72 * 200
    assert first.box[2] < second.box[0]  # the space keeps its own stretch
    assert first.box[1] == 50 and first.box[3] == 70


def test_cjk_characters_are_words_of_their_own():
    text = "模板ab"
    spans = tuple((i / 4, (i + 0.2) / 4) for i in range(4))
    assert [w.text for w in word_boxes(text, spans, QUAD)] == ["模", "板", "ab"]


def test_a_line_read_upside_down_is_placed_from_the_other_end():
    spans = ((0.1, 0.12), (0.2, 0.22), (0.4, 0.42), (0.6, 0.62), (0.7, 0.72))
    upright = word_boxes("ab cd", spans, QUAD)
    flipped = word_boxes("ab cd", spans, QUAD, flipped=True)
    assert [w.text for w in flipped] == ["ab", "cd"]
    assert flipped[0].box[0] > flipped[1].box[0]  # "ab" now sits at the right end
    assert flipped[0].box[2] - flipped[0].box[0] == pytest.approx(
        upright[1].box[2] - upright[1].box[0], abs=1
    )


def test_spans_that_do_not_match_the_text_give_no_words():
    assert word_boxes("abc", ((0.1, 0.2),), QUAD) == []


def test_spans_read_on_a_wider_crop_land_on_the_same_page_points_of_the_box():
    crop = np.array([[80, 40], [320, 40], [320, 80], [80, 80]], dtype=np.float32)  # QUAD + margin
    # 0.5 is the middle of both; 100 and 300 (QUAD's ends) sit at 1/12 and 11/12 of the crop
    mapped = reframe(((1 / 12, 0.5), (0.5, 11 / 12)), crop, QUAD, False)
    assert [f for span in mapped for f in span] == pytest.approx([0.0, 0.5, 0.5, 1.0])
    assert reframe(((0.0, 0.01),), crop, QUAD, False) == ((0.0, 0.0),)  # margin: clipped
    words = word_boxes(
        "ab cd",
        ((0.2, 0.25), (0.3, 0.35), (0.6, 0.65), (0.7, 0.75), (0.8, 0.8)),
        QUAD,
        read_quad=crop,
    )
    assert all(100 <= w.box[0] < w.box[2] <= 300 and w.box[1] == 50 for w in words)

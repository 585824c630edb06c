import numpy as np
import pytest

from textlens.runtime import best_class
from textlens.stages.long_lines import MAX_RATIO
from textlens.stages.recognition import CTCDecoder, RecParams, padded_width, preprocess, width_for


def one_hot(indices, classes, p=0.9):
    probs = np.full((len(indices), classes), (1 - p) / (classes - 1), np.float32)
    probs[np.arange(len(indices)), indices] = p
    return probs


def test_ctc_merges_repeats_drops_blanks_and_keeps_doubled_letters():
    decode = CTCDecoder(("a", "b", "l"), num_classes=5)  # blank, a, b, l, space
    steps = [1, 1, 0, 2, 3, 0, 3, 4, 1]  # a a _ b l _ l ' ' a
    [rec] = decode(*best_class(one_hot(steps, 5)[None]))
    assert rec.text == "abll a"
    assert rec.score == pytest.approx(0.9)
    assert rec.spans[0] == (0.0, 2 / 9)  # 'a' emitted on steps 0-1
    assert rec.spans[2] == (4 / 9, 5 / 9)


def test_ctc_spans_are_relative_to_the_crop_not_the_padding():
    decode = CTCDecoder(("a",), num_classes=3)
    [rec] = decode(*best_class(one_hot([0, 1, 0, 0], 3)[None]), used=[0.5])
    assert rec.spans == ((0.5, 1.0),)


def test_empty_line_scores_zero():
    [rec] = CTCDecoder(("a",), 3)(*best_class(one_hot([0, 0, 0], 3)[None]))
    assert rec.text == "" and rec.score == 0.0


def test_wrong_dictionary_is_refused():
    with pytest.raises(ValueError, match="wrong dictionary"):
        CTCDecoder(("a", "b"), num_classes=10)


def test_preprocess_scales_each_line_and_pads_to_the_widest():
    crops = [np.full((20, 40, 3), 255, np.uint8), np.zeros((10, 100, 3), np.uint8)]
    batch = preprocess(crops, 48, 0)
    # 48 px high: 96 px wide is read whole, 480 narrowed to 0.7 (336), padded on the ladder
    assert width_for(crops[1], 48) == 336
    assert batch.shape == (2, 3, 48, padded_width(336)) == (2, 3, 48, 352)
    assert np.allclose(batch[0, :, :, :96], 1.0)  # white -> 1
    assert np.allclose(batch[0, :, :, 96:], 0.0)  # padding
    assert np.allclose(batch[1, :, :, :336], -1.0)  # black -> -1
    assert np.allclose(batch[1, :, :, 336:], 0.0)


def test_lines_are_read_at_their_own_width_up_to_the_trained_one_and_never_narrower():
    def width(aspect: float) -> int:
        return width_for(np.zeros((100, int(aspect * 100), 3), np.uint8), 48)

    assert width(3) == 144  # short: its own width
    assert width(320 / 48) == 320  # the width the recogniser learnt on
    assert width(8) == 320  # 0.7 of 384 would be narrower than that: held at 320
    assert width(20) == 672  # long: 0.7 of 960


def test_very_long_lines_are_capped():
    assert width_for(np.zeros((10, 10_000, 3), np.uint8), 48) == 48 * MAX_RATIO


def test_a_wide_silent_gap_becomes_a_space_but_cjk_does_not():
    latin = CTCDecoder(("a", "b", "1"), num_classes=5)
    # a _ b _ a ______ 1 : pitch 2, then a gap of 7 steps
    [rec] = latin(*best_class(one_hot([1, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 3], 5)[None]))
    assert rec.text == "aba 1" and len(rec.spans) == 5
    cjk = CTCDecoder(("中", "文"), num_classes=4)
    [rec] = cjk(*best_class(one_hot([1, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 2], 4)[None]))
    assert rec.text == "中文中文"


def test_a_wide_gap_before_a_lower_case_letter_stays_inside_the_word():
    latin = CTCDecoder(("m", "p", "1"), num_classes=5)
    # "m" is wide: in justified text the step after it can be as far as a column gap
    [rec] = latin(*best_class(one_hot([1, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 2], 5)[None]))
    assert rec.text == "mpmp"


def test_batches_come_in_few_shapes():
    batch = preprocess([np.zeros((48, 100, 3), np.uint8)], 48, 0, rows=6)
    # 100 px read whole, padded to 112 on the ladder
    assert batch.shape == (6, 3, 48, 112) and np.allclose(batch[0, :, :, 100:], 0.0)
    assert np.allclose(batch[1:], 0.0)
    ladder = {padded_width(w) for w in range(1, int(48 * MAX_RATIO) + 1)}
    assert len(ladder) <= 55
    assert all(padded_width(w) - w < max(16, 0.1 * w) for w in range(1, int(48 * MAX_RATIO) + 1))


def test_a_long_line_cut_at_word_gaps_reads_whole(ocr):
    from stages.test_long_lines import SENTENCE, rendered

    line = rendered(SENTENCE)
    [read] = ocr.recognizer([line], RecParams())
    assert read.text == SENTENCE
    assert len(read.spans) == len(read.text)
    assert all(a <= b for a, b in read.spans) and read.spans[-1][1] <= 1.0
    # the line is longer than one piece may be, so it was read in pieces cut at word gaps
    assert line.shape[1] / line.shape[0] > MAX_RATIO


def test_between_capitals_a_space_needs_twice_the_gap():
    latin = CTCDecoder(("V", "M", "1"), num_classes=5)
    # "VM": two wide capitals leave a gap past the limit (7 steps, pitch 2) inside an acronym
    [rec] = latin(*best_class(one_hot([1, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 2], 5)[None]))
    assert rec.text == "VMVM"
    # a column gap is wider still: "TOTAL      RM" keeps its space
    [rec] = latin(*best_class(one_hot([1, 0, 2, 0, 1, *[0] * 12, 2], 5)[None]))
    assert rec.text == "VMV M"

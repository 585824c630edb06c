from dataclasses import replace

import numpy as np
import pytest

from textlens.stages.detection import DetParams, postprocess, preprocess, target_size

P = DetParams(
    limit_side_len=960,
    limit_type="max",
    thresh=0.3,
    box_thresh=0.6,
    unclip_ratio=1.5,
    box_unclip_ratio=1.3,
)


def sized(limit: int, limit_type: str, **more) -> DetParams:
    return replace(P, limit_side_len=limit, limit_type=limit_type, **more)


@pytest.mark.parametrize(
    "hw, params, expected",
    [
        ((894, 463), P, (896, 448)),  # max: already below the limit, rounded to 32
        ((2000, 1000), P, (960, 480)),  # max: long side brought to the limit
        ((500, 400), sized(736, "min"), (928, 736)),  # min: short side raised
        ((2695, 932), sized(960, "area"), (1632, 576)),  # area: 960² pixels
        ((894, 463), sized(960, "area"), (896, 448)),  # area: never scaled up
        ((7016, 4961), sized(7000, "max", max_side_limit=4000), (4000, 2816)),
        ((100, 100), sized(960, "max", input_shape=(3, 640, 320)), (640, 320)),
    ],
)
def test_target_size(hw, params, expected):
    assert target_size(*hw, params) == expected


def test_preprocess_normalises_with_imagenet_statistics():
    page = np.full((64, 64, 3), 255, np.uint8)
    tensor = preprocess(page, P)
    assert tensor.shape == (1, 3, 64, 64) and tensor.dtype == np.float32
    assert np.allclose(
        tensor[0, :, 0, 0],
        [(1 - 0.485) / 0.229, (1 - 0.456) / 0.224, (1 - 0.406) / 0.225],
        atol=1e-4,
    )


def test_postprocess_finds_one_grown_box_in_page_coordinates():
    prob = np.zeros((100, 200), np.float32)
    prob[40:50, 20:120] = 0.9  # one text kernel: 100 x 10 map pixels
    found = postprocess(prob, (200, 400), P)  # page is twice the map
    assert len(found.crops) == 1 and found.scores[0] == pytest.approx(0.9, abs=0.01)
    x0, y0 = found.crops[0].min(axis=0)
    x1, y1 = found.crops[0].max(axis=0)
    # unclip offset = area * ratio / perimeter ~ 100*10*1.5/220 ~ 6.8 map px each side
    assert 10 < x0 < 40 and 240 < x1 < 270
    assert 60 < y0 < 80 and 100 < y1 < 120


def test_the_reported_box_is_grown_less_than_the_crop_around_it():
    prob = np.zeros((100, 200), np.float32)
    prob[40:50, 20:120] = 0.9
    found = postprocess(prob, (200, 400), P)
    (box,), (crop,) = found.boxes, found.crops
    # offsets ~ 6.8 and ~ 5.9 map px: the box sits inside the crop, about 2 page px in per side
    assert (box.min(axis=0) - crop.min(axis=0) > 1).all()
    assert (crop.max(axis=0) - box.max(axis=0) > 1).all()
    same = postprocess(prob, (200, 400), replace(P, box_unclip_ratio=1.5))
    np.testing.assert_array_equal(same.boxes[0], same.crops[0])


def test_postprocess_drops_weak_and_tiny_regions():
    prob = np.zeros((100, 200), np.float32)
    prob[10:20, 10:100] = 0.5  # above thresh, mean below box_thresh
    prob[60:62, 10:100] = 0.95  # 2 px tall: smaller than the minimum side
    found = postprocess(prob, (100, 200), P)
    assert found.boxes == found.crops == found.scores == []

import numpy as np

from textlens.geometry import crop_quad, order_quad, quad_to_box, reading_sort, rotate_page


def test_order_quad_starts_top_left_clockwise():
    shuffled = np.array([[10, 20], [0, 0], [10, 0], [0, 20]], dtype=np.float32)
    assert order_quad(shuffled).tolist() == [[0, 0], [10, 0], [10, 20], [0, 20]]


def test_crop_quad_straightens_a_region():
    page = np.zeros((100, 200, 3), np.uint8)
    page[40:60, 50:150] = 255
    crop = crop_quad(page, np.array([[50, 40], [150, 40], [150, 60], [50, 60]], np.float32))
    assert crop.shape == (20, 100, 3)
    assert crop.mean() > 240


def test_tall_crop_is_turned_to_read_left_to_right():
    page = np.zeros((200, 100, 3), np.uint8)
    crop = crop_quad(page, np.array([[10, 10], [30, 10], [30, 110], [10, 110]], np.float32))
    assert crop.shape[:2] == (20, 100)


def test_reading_sort_rows_then_columns():
    def box(x, y):
        return np.array([[x, y], [x + 10, y], [x + 10, y + 5], [x, y + 5]], np.float32)

    quads = [box(100, 52), box(0, 50), box(50, 0), box(0, 3)]
    assert reading_sort(quads) == [3, 2, 1, 0]


def test_quad_to_box_and_rotate_page():
    assert quad_to_box(np.array([[1, 2], [9, 3], [8, 7], [2, 6]])) == [1, 2, 9, 7]
    page = np.arange(6, dtype=np.uint8).reshape(2, 3, 1).repeat(3, axis=2)
    assert rotate_page(page, 90).shape == (3, 2, 3)
    assert np.array_equal(rotate_page(rotate_page(page, 90), 270), page)
    assert rotate_page(page, 0) is page


def test_a_thick_line_is_cropped_at_most_96_px_thick_keeping_its_shape():
    page = np.zeros((2000, 3000, 3), np.uint8)
    crop = crop_quad(page, np.array([[0, 0], [2400, 0], [2400, 300], [0, 300]], np.float32))
    assert crop.shape[:2] == (96, 768)
    small = crop_quad(page, np.array([[0, 0], [200, 0], [200, 30], [0, 30]], np.float32))
    assert small.shape[:2] == (30, 200)

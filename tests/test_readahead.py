import threading

import pytest

from textlens.readahead import read_ahead


def test_items_come_out_in_order_produced_off_the_calling_thread():
    threads = []

    def produce():
        for i in range(5):
            threads.append(threading.current_thread())
            yield i

    assert list(read_ahead(produce())) == [0, 1, 2, 3, 4]
    assert threading.current_thread() not in threads


def test_only_one_item_is_read_ahead():
    made = []

    def produce():
        for i in range(10):
            made.append(i)
            yield i

    stream = read_ahead(produce())
    assert next(stream) == 0
    assert next(stream) == 1
    threading.Event().wait(0.2)
    assert made == [0, 1, 2]


def test_an_error_comes_out_where_its_item_would_have():
    def produce():
        yield "page 1"
        raise ValueError("page 2 is corrupt")

    stream = read_ahead(produce())
    assert next(stream) == "page 1"
    with pytest.raises(ValueError, match="page 2 is corrupt"):
        next(stream)


def test_stopping_early_closes_the_source():
    closed = []

    def produce():
        try:
            yield from range(100)
        finally:
            closed.append(True)

    for item in read_ahead(produce()):
        if item == 3:
            break
    assert closed == [True]


def test_nothing_is_read_ahead_of_an_item_that_forbids_it():
    made = []

    def produce():
        for i in range(4):
            made.append(i)
            yield i

    stream = read_ahead(produce(), ahead_of=lambda item: item != 1)
    assert next(stream) == 0
    assert next(stream) == 1
    threading.Event().wait(0.2)
    assert made == [0, 1]  # nothing read while item 1 is in hand
    assert list(stream) == [2, 3]

"""core/collector.py: the cycle collector is off inside a bulk job and back on after it — after an
error too, and only when the last of nested jobs ends; a collector someone switched off stays off."""
from __future__ import annotations

import gc

import pytest

from core.collector import collector_paused


@pytest.fixture(autouse=True)
def collector_on():
    gc.enable()
    yield
    gc.enable()


def test_paused_inside_and_back_after():
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()   # the outer job still runs
    assert gc.isenabled()


def test_back_after_an_error():
    with pytest.raises(ZeroDivisionError):
        with collector_paused():
            1 / 0
    assert gc.isenabled()


def test_left_off_when_it_was_off():
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()

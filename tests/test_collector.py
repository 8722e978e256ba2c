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


def test_long_subsidy_jobs_run_with_the_collector_paused(db, admin, tmp_path):
    """The import and the year's review report progress from inside their work: the collector is off
    there, and on again when they return."""
    from core.subsidy.roster_import import import_roster, open_roster
    from core.subsidy.yearly_cycle import review_year
    from tests.subsidy.roster_factory import write_roster
    seen = []

    def progress(done, total):
        seen.append(gc.isenabled())
        return True

    table = open_roster(write_roster(tmp_path / "roster.xlsx", 30, seed=3))
    with db.session(admin) as s:
        result = import_roster(s, admin, table, year=2024, progress=progress)
    assert result.imported == 30 and seen and not any(seen) and gc.isenabled()
    seen.clear()
    with db.session(admin) as s:
        review = review_year(s, admin, "RURAL_REWARD", 2024, progress=progress)
    assert review.items and seen and not any(seen) and gc.isenabled()

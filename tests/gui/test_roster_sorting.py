"""Clicking the roster's 性别, 村, 开户银行, 账号 and 待补充 headers sorts in the database: the loaded
pages (one, then the next through fetchMore) follow the order worked out from the stored values,
ascending on the first click and descending on the second."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from gui.subsidy.roster_model import COLUMNS
from tests.subsidy.test_search_sorting import expected_ids, make_people

pytestmark = pytest.mark.gui

PEOPLE = 250                       # three pages of 100
NEW_COLUMNS = {"性别": "sex", "村": "village", "开户银行": "bank_name", "账号": "account", "待补充": "incomplete"}


@pytest.fixture
def people(db, admin):
    make_people(db, admin, PEOPLE)


def _page(qtbot, ctx):
    from gui.subsidy.subsidy_page import SubsidyPage
    page = SubsidyPage(ctx)
    qtbot.addWidget(page)
    page.resize(1600, 760)
    page.show()
    qtbot.waitExposed(page)
    return page


def _click_header(qtbot, roster, column: int) -> None:
    header = roster.table.horizontalHeader()
    roster.table.scrollTo(roster.model.index(0, column))        # the later columns may be off to the right
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def _ids(roster) -> list[int]:
    return [r.id for r in roster.model.loaded_rows()]


def test_every_column_can_be_sorted():
    assert [c.heading for c in COLUMNS if c.sort is None] == []
    assert {c.heading: c.sort for c in COLUMNS if c.heading in NEW_COLUMNS} == NEW_COLUMNS


def test_clicking_the_new_headers_sorts_in_the_database(qtbot, ctx, db, admin, people):
    page = _page(qtbot, ctx)                                       # kept: the roster lives in it
    roster = page.roster
    header = roster.table.horizontalHeader()
    for heading, sort in NEW_COLUMNS.items():
        column = [c.heading for c in COLUMNS].index(heading)
        assert roster.model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) \
            == "点击按此列排序，再点一次倒序"
        for descending in (False, True):                          # first click ascending, the second descending
            _click_header(qtbot, roster, column)
            assert (roster.model.sort_name, roster.model.descending) == (sort, descending), heading
            assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
                column, Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder)
            expected = expected_ids(db, admin, sort, descending)
            assert _ids(roster) == expected[:100], (heading, descending)      # one page, in order
            roster.model.fetchMore()                                           # the next continues it
            assert _ids(roster) == expected[:200], (heading, descending)
            roster.model.fetchMore()
            assert _ids(roster) == expected and not roster.model.canFetchMore(), (heading, descending)

"""The roster's orders by 性别, 村（居）, 开户银行, 银行账号 and 待补充, in the database with keyset pages:
walked page by page (short pages, so ties run across page boundaries) and compared with the order
worked out here from the stored values — the village within its township, people without a village
first in their township, the id breaking ties."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from stdnum.cn import ric

from core import orgunits
from core.subsidy import recipients as rs
from core.subsidy.search import RosterFilter, search_page, sort_key

NEW_SORTS = ["sex", "village", "bank_name", "account", "incomplete"]
BANKS = ["农村信用社", "中国邮政储蓄银行", "中国农业银行"]
SURNAMES = "王李张刘陈"

# The order a clerk expects, from a stored row (id, sex, township, village, bank, account, incomplete)
EXPECTED_KEY = {
    "sex": lambda r: (r.sex,),
    "village": lambda r: (r.township_code, r.village_code or ""),
    "bank_name": lambda r: (r.bank_name,),
    "account": lambda r: (r.account_no,),
    "incomplete": lambda r: (r.incomplete,),
}


def make_id(born: date, seq: int, region: str = "220322") -> str:
    body = f"{region}{born:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def make_people(db, actor, n: int, towns_used: int = 3) -> None:
    """n recipients over a few townships of 梨树县, each township with three villages (added here);
    every 5th person has no village yet, every 7th no account, every 9th no bank — so 待补充 varies.
    Township, village, bank and account follow the id in no particular order."""
    with db.session(actor) as s:
        towns = [t.code for t in orgunits.townships(s)][:towns_used]
        villages = {t: [f"{t}{201 + j:03d}" for j in range(3)] for t in towns}
        for t in towns:
            for j, code in enumerate(villages[t]):
                orgunits.add_unit(s, actor, code, f"{'东西南'[j]}村", t)
        for i in range(n):
            born = date(1940 + i % 20, 1 + i % 12, 1 + i % 28)
            town = towns[(i * 7) % len(towns)]
            rs.save_recipient(s, actor, rs.RecipientInput(
                name=SURNAMES[i % 5] + "秀英" + str(i), id_number=make_id(born, i), township=town,
                village="" if i % 5 == 0 else villages[town][(i // 3 * 2) % 3],
                program="RURAL_REWARD", hukou="农业", marital="已婚", first_year=2005 + i % 15,
                children=[rs.ChildInput("子", "男")],
                account_no="" if i % 7 == 0 else f"6217{(i * 7919) % 1000:03d}{i:012d}",
                bank_name="" if i % 9 == 0 else BANKS[(i * 11) % 3]))


def expected_ids(db, actor, sort: str, descending: bool, township: str | None = None) -> list[int]:
    with db.session(actor) as s:
        rows = s.execute(text("SELECT id, sex, township_code, village_code, bank_name, account_no, incomplete "
                              "FROM subsidy_recipient")).all()
    rows = [r for r in rows if township is None or r.township_code == township]
    return [r.id for r in sorted(rows, key=lambda r: (*EXPECTED_KEY[sort](r), r.id), reverse=descending)]


def walk(db, actor, sort: str, descending: bool, f: RosterFilter = RosterFilter(), page: int = 37) -> list[int]:
    """Every match through keyset pages, as the roster loads them."""
    out, after = [], None
    with db.session(actor) as s:
        while True:
            rows = search_page(s, actor, f, sort=sort, descending=descending, after=after, limit=page)
            out += [r.id for r in rows]
            if len(rows) < page:
                return out
            after = sort_key(rows[-1], sort)


PEOPLE = 120


@pytest.fixture
def people(db, admin):
    make_people(db, admin, PEOPLE)


def test_the_data_has_what_the_orders_are_about(db, admin, people):
    with db.session(admin) as s:
        (sexes, no_village, villages, banks, no_account, incompletes) = s.execute(text(
            "SELECT count(DISTINCT sex), sum(CASE WHEN village_code IS NULL THEN 1 ELSE 0 END), "
            "count(DISTINCT village_code), count(DISTINCT bank_name), "
            "sum(CASE WHEN account_no = '' THEN 1 ELSE 0 END), count(DISTINCT incomplete) "
            "FROM subsidy_recipient")).one()
    assert (sexes, villages, banks) == (2, 9, 4)         # 男/女; 3 villages × 3 townships; 3 banks and none
    assert no_village == PEOPLE // 5 and no_account == len(range(0, PEOPLE, 7))
    assert incompletes == 4                               # "", 村（居）, 银行账号, both


@pytest.mark.parametrize("sort", NEW_SORTS)
@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
def test_new_orders_page_through_the_whole_register(db, admin, people, sort, descending):
    got = walk(db, admin, sort, descending)
    assert got == expected_ids(db, admin, sort, descending)
    assert len(got) == PEOPLE


def test_village_order_reads_villages_within_their_township(db, admin, people):
    with db.session(admin) as s:
        rows = search_page(s, admin, RosterFilter(), sort="village", limit=PEOPLE)
    places = [(r.township_code, r.village_code) for r in rows]
    towns = [t for t, _ in places]
    assert towns == sorted(towns)                          # townships in code order …
    first_town = [v for t, v in places if t == towns[0]]
    n_none = first_town.count(None)
    assert n_none > 0 and first_town[:n_none] == [None] * n_none    # … no village yet first …
    assert first_town[n_none:] == sorted(first_town[n_none:])       # … then its villages in code order
    assert all(v.startswith(t) for t, v in places if v)


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
def test_village_order_within_a_township_filter(db, admin, people, descending):
    with db.session(admin) as s:
        town = s.execute(text("SELECT township_code FROM subsidy_recipient ORDER BY id LIMIT 1")).scalar_one()
    got = walk(db, admin, "village", descending, RosterFilter(township=town), page=9)
    assert got == expected_ids(db, admin, "village", descending, township=town) and len(got) == PEOPLE // 3


def test_the_account_order_does_not_show_the_number(db, admin, people):
    with db.session(admin) as s:
        rows = search_page(s, admin, RosterFilter(), sort="account", descending=True, limit=3)
    assert rows[0].account_no.startswith("6217") and "*" in rows[0].account_masked
    assert rows[0].account_no not in repr(rows[0])          # a row written to a log keeps the number out

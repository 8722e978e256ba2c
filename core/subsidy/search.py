"""Finding people in a register of 100,000: keyset pages (never OFFSET), index-friendly matching.

Text typed in the search box is read as:
- digits (and X): an ID number or account — prefix via the index on the number, suffix ("the last four
  digits", the usual way clerks ask) via the index on the reversed number;
- anything else: part of a name — a prefix uses the name index; an inner part scans the name index in
  order and stops at the page size.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select, tuple_
from sqlalchemy.orm import Session

from core.access import Actor
from core.idnumbers import mask_account, normalise_text_number
from db.models.subsidy import Recipient

SORTABLE = {
    "name": Recipient.name, "id_number": Recipient.id_number, "birth_date": Recipient.birth_date,
    "township": Recipient.township_code, "program": Recipient.program_code, "status": Recipient.status,
    "first_year": func.coalesce(Recipient.first_year, 0),   # keyset needs no NULLs
}
PAGE = 100


@dataclass(frozen=True)
class RosterFilter:
    text: str = ""
    township: str | None = None
    village: str | None = None
    program: str | None = None
    status: str | None = None
    first_year: int | None = None
    incomplete_only: bool = False


@dataclass(frozen=True)
class RosterRow:
    id: int
    name: str
    sex: str
    id_number: str
    birth_date: date
    township_code: str
    village_code: str | None
    program_code: str
    status: str
    first_year: int | None
    bank_name: str
    account_masked: str
    incomplete: str
    version: int


def _upper_bound(prefix: str) -> str:
    return prefix + "\uffff"


def _text_clause(text: str):
    t = text.strip()
    if not t:
        return None
    number = normalise_text_number(t)
    if re.fullmatch(r"[\dX]+", number):
        rev = number[::-1]
        parts = [and_(Recipient.id_number >= number, Recipient.id_number < _upper_bound(number)),
                 and_(Recipient.id_number_rev >= rev, Recipient.id_number_rev < _upper_bound(rev))]
        if number.isdigit():
            parts += [and_(Recipient.account_no >= number, Recipient.account_no < _upper_bound(number)),
                      and_(Recipient.account_rev >= rev, Recipient.account_rev < _upper_bound(rev))]
        return or_(*parts)
    t = re.sub(r"\s+", "", t)
    return Recipient.name.contains(t, autoescape=True)


def _where(actor: Actor, f: RosterFilter) -> list:
    clauses = []
    if (c := _text_clause(f.text)) is not None:
        clauses.append(c)
    if f.township:
        clauses.append(Recipient.township_code == f.township)
    if f.village:
        clauses.append(Recipient.village_code == f.village)
    if f.program:
        clauses.append(Recipient.program_code == f.program)
    if f.status:
        clauses.append(Recipient.status == f.status)
    if f.first_year:
        clauses.append(Recipient.first_year == f.first_year)
    if f.incomplete_only:
        clauses.append(Recipient.incomplete != "")
    if actor.townships is not None:
        clauses.append(Recipient.township_code.in_(sorted(actor.townships)))
    return clauses


_COLUMNS = (Recipient.id, Recipient.name, Recipient.sex, Recipient.id_number, Recipient.birth_date,
            Recipient.township_code, Recipient.village_code, Recipient.program_code, Recipient.status,
            Recipient.first_year, Recipient.bank_name, Recipient.account_no, Recipient.incomplete, Recipient.version)


def search_page(session: Session, actor: Actor, f: RosterFilter, *, sort: str = "name", descending: bool = False,
                after: tuple | None = None, limit: int = PAGE) -> list[RosterRow]:
    """One page of matches; pass the last row's ``sort_key(row, sort)`` as ``after`` for the next page."""
    col = SORTABLE[sort]
    q = select(*_COLUMNS).where(*_where(actor, f))
    if after is not None:
        key = tuple_(col, Recipient.id)
        q = q.where(key < tuple_(*after) if descending else key > tuple_(*after))
    order = (col.desc(), Recipient.id.desc()) if descending else (col, Recipient.id)
    rows = session.execute(q.order_by(*order).limit(limit)).all()
    return [RosterRow(r.id, r.name, r.sex, r.id_number, r.birth_date, r.township_code, r.village_code, r.program_code,
                      r.status, r.first_year, r.bank_name, mask_account(r.account_no) if r.account_no else "",
                      r.incomplete, r.version) for r in rows]


def sort_key(row: RosterRow, sort: str) -> tuple:
    value = {"name": row.name, "id_number": row.id_number, "birth_date": row.birth_date, "township": row.township_code,
             "program": row.program_code, "status": row.status, "first_year": row.first_year or 0}[sort]
    return (value, row.id)


def count_matches(session: Session, actor: Actor, f: RosterFilter) -> int:
    return session.execute(select(func.count()).select_from(Recipient).where(*_where(actor, f))).scalar_one()


def iter_matches(session: Session, actor: Actor, f: RosterFilter, *, sort: str = "name", batch: int = 2000):
    """Every match in order, page by page (exporting the current view)."""
    after = None
    while True:
        page = search_page(session, actor, f, sort=sort, after=after, limit=batch)
        yield from page
        if len(page) < batch:
            return
        after = sort_key(page[-1], sort)

"""db/bulk.py: rows inserted through the driver read back as the ORM wrote them; deferred indexes
come back after the block, and a rolled-back block leaves the table's indexes as they were."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import inspect, select

from db.bulk import indexes_deferred, insert_rows
from db.models.subsidy import Recipient


def _row(n: int, **over) -> dict:
    now = datetime(2026, 1, 2, 3, 4, 5, 678901)
    row = dict(uuid=f"00000000-0000-0000-0000-{n:012d}", name=f"测试{n}", sex="女", id_number=f"2203221950{n:08d}"[-18:],
               id_number_rev="", birth_date=date(1950, 1, 1 + n % 28), township_code="220322100", village_code=None,
               program_code="RURAL_REWARD", first_year=2012, created_at=now, created_by="t", updated_at=now,
               updated_by="t", version=1, exit_date=None, death_date=None)
    row.update(over)
    return row


def _index_names(db) -> set[str]:
    with db.engine.connect() as conn:
        return {ix["name"] for ix in inspect(conn).get_indexes("subsidy_recipient")}


def test_insert_rows_reads_back_with_types_and_python_defaults(db, admin):
    rows = [_row(1), _row(2, exit_date=date(2024, 6, 30), status="EXITED", exit_reason="死亡")]
    with db.session(admin) as s:
        insert_rows(s.connection(), Recipient.__table__, rows)
    with db.session(admin) as s:
        got = {r.name: r for r in s.execute(select(Recipient)).scalars()}
    one, two = got["测试1"], got["测试2"]
    assert one.birth_date == date(1950, 1, 2) and one.created_at == datetime(2026, 1, 2, 3, 4, 5, 678901)
    # columns the rows left out take the model's Python defaults, as the ORM would write them
    assert (one.status, one.hukou, one.no_policy_violation, one.account_no) == ("ACTIVE", "农业", True, "")
    assert two.exit_date == date(2024, 6, 30) and two.status == "EXITED" and two.village_code is None


def test_indexes_come_back_after_the_block(db, admin):
    before = _index_names(db)
    assert "ix_recipient_name" in before
    with db.session(admin) as s:
        conn = s.connection()
        with indexes_deferred(conn, Recipient.__table__, when=True):
            insert_rows(conn, Recipient.__table__, [_row(i) for i in range(1, 50)])
    assert _index_names(db) == before
    with db.session(admin) as s:   # and they are used: the rows are found through them
        assert s.scalar(select(Recipient.id).where(Recipient.name == "测试7")) is not None


def test_a_failed_block_rolls_back_rows_and_keeps_indexes(db, admin):
    before = _index_names(db)
    with pytest.raises(RuntimeError):
        with db.session(admin) as s:
            conn = s.connection()
            with indexes_deferred(conn, Recipient.__table__, when=True):
                insert_rows(conn, Recipient.__table__, [_row(i) for i in range(1, 10)])
                raise RuntimeError("cancelled")
    assert _index_names(db) == before
    with db.session(admin) as s:
        assert s.scalar(select(Recipient.id).limit(1)) is None


def test_new_uuids_are_distinct_version_4_uuids_as_text():
    import uuid

    from db.base import new_uuids
    made = new_uuids(20_000)
    assert len(made) == 20_000 and len(set(made)) == 20_000 and new_uuids(0) == []
    for text in made[:500]:
        u = uuid.UUID(text)
        assert str(u) == text and u.version == 4 and u.variant == uuid.RFC_4122

"""Backup and restore: round trip, damaged files refused with nothing changed, a safety backup."""
from __future__ import annotations

import zipfile

import pytest

from core import orgunits, users
from core.access import Role
from core.backup import backup, restore
from core.errors import DataError
from core.installation import check


def _names(db):
    with db.session() as s:
        return {u.code: u.name for u in orgunits.list_units(s)}


def test_round_trip_restores_the_backed_up_state(db, admin, tmp_path):
    with db.session(admin) as s:
        orgunits.add_unit(s, admin, "220322100201", "东村")
        users.create_user(s, admin, "li", "李", Role.CLERK, "abcd1234", ["220322100"])
    out = tmp_path / "b.wjbak"
    m = backup(db, admin, out)
    assert m["tables"]["org_unit"]["rows"] == 26
    before = _names(db)
    with db.session(admin) as s:
        orgunits.rename_unit(s, admin, "220322100201", "改过的名字")
        orgunits.add_unit(s, admin, "220322100202", "备份后才加的村")
    r = restore(db, admin, out, safety_dir=tmp_path / "safety")
    assert r["safety_backup"] and (tmp_path / "safety").exists()
    assert _names(db) == before
    assert users.login(db, "li", "abcd1234").townships == frozenset({"220322100"})
    result = check(db)
    assert result["ok"], result["problems"]
    # new records after a restore get fresh ids (PostgreSQL sequences were moved on)
    with db.session(admin) as s:
        orgunits.add_unit(s, admin, "220322100209", "恢复后新加")


def test_damaged_backup_is_refused_and_nothing_changes(db, admin, tmp_path):
    out = tmp_path / "b.wjbak"
    backup(db, admin, out)
    damaged = tmp_path / "damaged.wjbak"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(damaged, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "tables/org_unit.jsonl":
                data = data.replace("梨树镇".encode(), "假镇名".encode())
            dst.writestr(item, data)
    with db.session(admin) as s:
        orgunits.rename_unit(s, admin, "220322101", "恢复前的名字")
    before = _names(db)
    with pytest.raises(DataError) as e:
        restore(db, admin, damaged)
    assert "校验和不符" in str(e.value) and "未做任何改动" in str(e.value)
    assert _names(db) == before
    not_zip = tmp_path / "x.wjbak"
    not_zip.write_bytes(b"garbage")
    with pytest.raises(DataError) as e:
        restore(db, admin, not_zip)
    assert "不是卫健台账的备份文件" in str(e.value)


def test_backup_restores_across_backends(db, admin, tmp_path):
    """A backup is backend-neutral: one from this database restores into a fresh SQLite file."""
    from core.database import Database
    out = tmp_path / "b.wjbak"
    backup(db, admin, out)
    other = Database.connect(tmp_path / "other.sqlite", create=True)
    restore(other, admin, out)
    assert _names(other) == _names(db)
    assert check(other)["ok"]

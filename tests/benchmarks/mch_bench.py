"""MCH-MONTHLY for 1–9 月累计 over a county of 25 townships with 3 years of monthly data.

    mch_return_ytd_ms(workdir) -> {"ours": ms, "baseline": ms, ...}

``ours``: ``build_return(…, "MCH-MONTHLY", "202601..202609")`` and materialising its rows (not
rendering), median of several runs. ``baseline``: one bare ``SUM … GROUP BY`` over the same months
with sqlite3. Target: ours ≤ 50 ms.
"""
from __future__ import annotations

import os
import random
import sqlite3
import statistics
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

EXTRA_TOWNSHIP = ("220322206", "试验乡")      # 梨树县 has 24 townships: a 25th for the benchmark
FIRST_MONTH, LAST_MONTH = (2023, 10), (2026, 9)   # 3 years (three statistical years)
YTD = "202601..202609"
RUNS = 9


def _months() -> list[str]:
    out, (y, m) = [], FIRST_MONTH
    while (y, m) <= LAST_MONTH:
        out.append(f"{y}{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def month_counts(rnd: random.Random, size: float, *, min_births: int = 1,
                 jitter: bool = False) -> dict[tuple[str, str], int]:
    """One township-month of plausible counts (size: the township's scale; the screenshots use it too).
    ``jitter``: the child populations vary a little from month to month (else they are constant)."""
    def vary(low: int, high: int) -> int:
        return rnd.randint(low, high) if jitter else 0
    births = max(min_births, int(rnd.gauss(12 * size, 3)))
    male = births // 2 + rnd.randint(0, 1)
    infant = rnd.choice([0, 0, 0, 0, 1])
    v = {
        ("MCH_LIVE_BIRTHS", "MALE"): male, ("MCH_LIVE_BIRTHS", "FEMALE"): births - male,
        ("MCH_DELIVERIES", ""): births - rnd.randint(0, 1), ("MCH_HOSPITAL_DELIVERIES", ""): births - rnd.randint(0, 1),
        ("MCH_EARLY_REGISTERED", ""): int(births * 0.9), ("MCH_SYS_MANAGED_MOTHERS", ""): int(births * 0.92),
        ("MCH_POSTNATAL_VISITS", ""): int(births * 0.95),
        ("MCH_RISK_GREEN", ""): int(births * 0.5), ("MCH_RISK_YELLOW", ""): int(births * 0.3),
        ("MCH_RISK_ORANGE", ""): int(births * 0.12), ("MCH_RISK_RED", ""): rnd.randint(0, 2),
        ("MCH_RISK_PURPLE", ""): rnd.randint(0, 1),
        ("MCH_MATERNAL_DEATHS", ""): 0, ("MCH_NEONATAL_DEATHS", ""): infant and rnd.randint(0, 1),
        ("MCH_INFANT_DEATHS", ""): infant, ("MCH_UNDER5_DEATHS", ""): infant + rnd.choice([0, 0, 0, 1]),
        ("MCH_CHILDREN_UNDER3", ""): int(450 * size) + vary(-6, 6),
        ("MCH_SYS_MANAGED_UNDER3", ""): int(420 * size) + vary(-6, 4),
        ("MCH_CHILDREN_UNDER7", ""): int(1100 * size) + vary(-10, 10),
        ("MCH_HEALTH_MANAGED_UNDER7", ""): int(1030 * size) + vary(-10, 8),
        ("MCH_PRENATAL_US_SCREENED", ""): births + rnd.randint(-1, 2),
        ("MCH_PRENATAL_SERUM_SCREENED", ""): int(births * 0.8),
        ("MCH_NEWBORN_DISEASE_SCREENED", ""): births, ("MCH_NEWBORN_HEARING_SCREENED", ""): births,
        ("MCH_CERVICAL_SCREENED", ""): rnd.randint(20, 90), ("MCH_BREAST_SCREENED", ""): rnd.randint(20, 90),
    }
    return {k: max(0, x) for k, x in v.items()}


def build_county(workdir: Path, seed: int = 11, *, add_township: bool = True):
    """A SQLite county of 25 townships (梨树县's 24 and one more) with every element of every month
    of 3 years (bulk insert through SQLAlchemy Core), each month submitted on the 3rd of the next."""
    from sqlalchemy import insert
    from core import orgunits
    from core.access import Actor
    from core.database import Database
    from core.installation import initialise
    from db.models.mch import DataValue, MonthReport
    os.environ.setdefault("WEIJIAN_DATA_DIR", str(workdir / "data"))
    path = workdir / "mch-bench.sqlite"
    for stale in workdir.glob("mch-bench.sqlite*"):
        stale.unlink()
    db = Database.connect(path, create=True)
    actor = Actor.command_line()
    initialise(db, actor, "220322", "梨树县")
    with db.session(actor) as s:
        if add_township:
            orgunits.add_unit(s, actor, EXTRA_TOWNSHIP[0], EXTRA_TOWNSHIP[1], "220322")
        towns = [u.code for u in orgunits.townships(s)]
    rnd = random.Random(seed)
    now = datetime(2026, 10, 3, 8, 0)
    values, reports = [], []
    for town in towns:
        size = rnd.uniform(0.6, 1.6)
        for month in _months():
            for (element, option), value in month_counts(rnd, size).items():
                values.append(dict(uuid=str(uuid.uuid4()), created_at=now, created_by="bench", updated_at=now,
                                   updated_by="bench", version=1, township_code=town, period=month,
                                   element_code=element, option_code=option, value=value, not_applicable=False,
                                   comment="", followup=False))
            y, m = int(month[:4]), int(month[4:])
            submitted = datetime(y + (m == 12), m % 12 + 1, 3, 2, 0) + timedelta(minutes=rnd.randint(0, 600))
            reports.append(dict(uuid=str(uuid.uuid4()), created_at=now, created_by="bench", updated_at=now,
                                updated_by="bench", version=1, township_code=town, period=month, status="APPROVED",
                                submitted_at=submitted, submitted_by="bench", approved_at=submitted,
                                approved_by="bench", returned_reason="", unlock_reason=""))
    with db.engine.begin() as conn:
        conn.execute(insert(DataValue.__table__), values)
        conn.execute(insert(MonthReport.__table__), reports)
    return db, actor, path, len(towns), len(values)


def _median_ms(fn, runs: int = RUNS) -> float:
    fn()   # warm: imports, statement caches
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def mch_return_ytd_ms(workdir) -> dict:
    from core.returns.catalogue import build_return
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    db, actor, path, towns, cells = build_county(workdir)

    def ours():
        with db.session(actor) as s:
            table = build_return(s, actor, "MCH-MONTHLY", YTD)
            rows = [list(r) for r in table.rows]
        assert len(rows) == towns + 1, len(rows)
        return rows

    months = [f"2026{m:02d}" for m in range(1, 10)]
    con = sqlite3.connect(path)
    sql = ("SELECT township_code, element_code, option_code, SUM(value) FROM mch_data_value "
           f"WHERE period IN ({','.join('?' * len(months))}) GROUP BY township_code, element_code, option_code")

    def baseline():
        return con.execute(sql, months).fetchall()

    try:
        ours_ms = _median_ms(ours)
        base_ms = _median_ms(baseline)
    finally:
        con.close()
        db.dispose()
    return {"ours": round(ours_ms, 3), "baseline": round(base_ms, 3), "unit": "ms (median)", "target": "≤ 50 ms",
            "townships": towns, "values": cells, "period": YTD}


if __name__ == "__main__":
    import json
    import tempfile
    print(json.dumps(mch_return_ytd_ms(Path(tempfile.mkdtemp(prefix="wj-mch-bench-"))), ensure_ascii=False))

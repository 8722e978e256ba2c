"""Bulk loading: many rows into one table inside the caller's transaction, at the speed of the driver.

SQLAlchemy's ``conn.execute(insert(table), rows)`` builds and processes a parameter set per row in
Python (about as long as SQLite takes to store it). ``insert_rows`` binds each column's values with
the column type's own bind processor once per value and hands plain tuples to the driver's
``executemany``; Python-side column defaults (uuid, timestamps, flags) are applied as the ORM would.

``indexes_deferred`` drops a SQLite table's secondary indexes for a large load and builds them again
afterwards (sorting 100,000 keys once is about three times cheaper than inserting into eight indexes
row by row). DDL is transactional in SQLite: a rolled-back import gets its indexes back untouched.
PostgreSQL is left alone: dropping an index there locks the table for every other clerk.
"""
from __future__ import annotations

from contextlib import contextmanager, suppress
from operator import itemgetter
from typing import Any, Iterator

from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError


def insert_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT every dict of ``rows`` into ``table``; left-out columns with a Python default get it
    (written into the dicts). Rows with different keys take SQLAlchemy's general path."""
    if not rows:
        return
    dialect = conn.dialect
    keys = list(rows[0])
    for c in table.columns:   # Python-side defaults the rows leave out, as the ORM would apply them
        if c.key in rows[0] or c.default is None or c.primary_key:
            continue
        if not (c.default.is_scalar or c.default.is_callable):   # a SQL expression: let SQLAlchemy do it
            conn.execute(insert(table), rows)
            return
        for row in rows:
            if c.key not in row:
                row[c.key] = c.default.arg if c.default.is_scalar else c.default.arg(None)
        keys.append(c.key)
    if any(len(row) != len(keys) for row in rows):   # rows with different keys: the general path
        conn.execute(insert(table), rows)
        return
    compiled = insert(table).compile(dialect=dialect, column_keys=keys)
    order = list(compiled.positiontup) if compiled.positional else keys
    pick = itemgetter(*order)
    processed = [(i, p) for i, p in enumerate(table.c[k].type.dialect_impl(dialect).bind_processor(dialect)
                                               for k in order) if p is not None]
    # dates and times repeat (one stamp per batch, birth dates by the thousand): bind each value once
    memos: list[dict] = [{} for _ in processed]
    params = []
    for row in rows:
        values = pick(row) if len(order) > 1 else (row[order[0]],)
        if processed:
            values = list(values)
            for (i, process), memo in zip(processed, memos):
                value = values[i]
                if value is not None:
                    bound = memo.get(value, memo)
                    if bound is memo:
                        bound = memo[value] = process(value)
                    values[i] = bound
        params.append(tuple(values) if compiled.positional else dict(zip(order, values)))
    conn.exec_driver_sql(str(compiled), params)


@contextmanager
def indexes_deferred(conn: Connection, table: Table, *, when: bool = True) -> Iterator[None]:
    """SQLite: without ``table``'s secondary indexes inside the block, rebuilt at its end (also when the
    block fails, so a caller that goes on never works without them). Elsewhere, or ``when`` false: as is."""
    if not when or conn.dialect.name != "sqlite":
        yield
        return
    found = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                                 "AND sql IS NOT NULL", (table.name,)).all()
    for name, _sql in found:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    failed = True
    try:
        yield
        failed = False
    finally:
        for _name, sql in found:
            if failed:
                with suppress(SQLAlchemyError):   # never hide the error that ended the block
                    conn.exec_driver_sql(sql)
            else:
                conn.exec_driver_sql(sql)

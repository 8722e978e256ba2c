"""Remembered column choices: when a person corrects a mapping (this column is 银行账号, that one is not
imported), the next file with the same headings is read the same way on this computer.

Kept per computer in the data folder (``import-mappings.json``), keyed by the import (schema key) and
the layout (the normalised headings), not in the database: it is a convenience of the person at this
desk, and it must work before any database is open.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from core.imports.columns import ColumnMapping, normalise_heading

FILE_NAME = "import-mappings.json"
MAX_LAYOUTS = 50   # per import; the oldest are forgotten


class MappingMemory:
    def __init__(self, path: Path | None = None):
        if path is None:
            from core.paths import data_dir
            path = data_dir() / FILE_NAME
        self.path = Path(path)

    def recall(self, mapping: ColumnMapping) -> bool:
        """Apply remembered choices for this layout to ``mapping``; True when there were some."""
        choices = self._load().get(mapping.schema_key, {}).get(mapping.signature())
        if not choices:
            return False
        for key, column in zip(_column_keys(mapping), mapping.columns):
            if key in choices:
                column.field, column.auto = choices[key] or None, False
        return True

    def knows(self, mapping: ColumnMapping) -> bool:
        """A person has mapped this layout before."""
        return mapping.signature() in self._load().get(mapping.schema_key, {})

    def remember(self, mapping: ColumnMapping) -> None:
        """Keep the mapping's choices for its layout (called when a person starts an import with it)."""
        store = self._load()
        layouts = store.setdefault(mapping.schema_key, {})
        layouts.pop(mapping.signature(), None)
        layouts[mapping.signature()] = {key: c.field or "" for key, c in zip(_column_keys(mapping), mapping.columns)}
        while len(layouts) > MAX_LAYOUTS:
            layouts.pop(next(iter(layouts)))
        self._save(store)

    def forget(self, mapping: ColumnMapping) -> None:
        store = self._load()
        if store.get(mapping.schema_key, {}).pop(mapping.signature(), None) is not None:
            self._save(store)

    def _load(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _save(self, store: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temp = self.path.with_suffix(".tmp")
        temp.write_text(json.dumps(store, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(temp, self.path)


def _column_keys(mapping: ColumnMapping) -> list[str]:
    """Each column's heading, numbered when the same heading occurs twice."""
    seen: dict[str, int] = {}
    keys = []
    for c in mapping.columns:
        norm = normalise_heading(c.heading)
        seen[norm] = seen.get(norm, 0) + 1
        keys.append(norm if seen[norm] == 1 else f"{norm}#{seen[norm]}")
    return keys

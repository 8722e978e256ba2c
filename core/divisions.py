"""National administrative division codes (GB/T 2260 counties, 9-digit statistical township codes),
shipped in ``resources/divisions`` (2022 edition) — an administrator may import a newer edition
(same CSV layout), kept in the user's data folder; the newest edition available is used."""
from __future__ import annotations

import csv
import os
import re
import shutil
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.errors import DataError
from core.resources import resource_path

FILES = ("provinces.csv", "cities.csv", "areas.csv", "streets.csv")
SHIPPED_EDITION = 2022

# The demo county (core/demo.py): outside every province (99 is unused), never a real place.
DEMO_COUNTY_CODE = "990101"


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    parent: str = ""


@dataclass(frozen=True)
class CountyInfo:
    code: str
    name: str
    city: str
    province: str

    @property
    def full_name(self) -> str:
        city = "" if self.city in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划") else self.city
        return f"{self.province}{city}{self.name}"


def _read(path: Path, parent_col: str | None) -> list[Division]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        return [Division(r["code"].strip(), r["name"].strip(), (r.get(parent_col) or "").strip() if parent_col else "")
                for r in reader]


class DivisionCatalogue:
    def __init__(self, folder: Path, edition: int):
        self.folder = folder
        self.edition = edition
        self.provinces = _read(folder / "provinces.csv", None)
        self.cities = _read(folder / "cities.csv", "provinceCode")
        self.counties = _read(folder / "areas.csv", "cityCode")
        self.townships = _read(folder / "streets.csv", "areaCode")
        self._by_code = {d.code: d for d in self.provinces + self.cities + self.counties + self.townships}

    def cities_of(self, province_code: str) -> list[Division]:
        return [c for c in self.cities if c.parent == province_code]

    def counties_of(self, city_code: str) -> list[Division]:
        return [c for c in self.counties if c.parent == city_code]

    def townships_of(self, county_code: str) -> list[Division]:
        return sorted((t for t in self.townships if t.parent == county_code), key=lambda t: t.code)

    def county(self, code: str) -> CountyInfo | None:
        d = self._by_code.get(code)
        if d is None or len(code) != 6:
            return None
        city = self._by_code.get(d.parent)
        province = self._by_code.get(code[:2])
        return CountyInfo(code, d.name, city.name if city else "", province.name if province else "")

    def name_of(self, code: str) -> str | None:
        d = self._by_code.get(code)
        return d.name if d else None

    def knows_region(self, code: str) -> bool:
        """A 6-digit region code (of an ID number) whose county, else prefecture, else province is here —
        or the demo county's, whose made-up people should not all carry a warning."""
        by_code = self._by_code
        return code in by_code or code[:4] in by_code or code[:2] in by_code or code == DEMO_COUNTY_CODE

    def province_exists(self, code: str) -> bool:
        return code[:2] in {p.code for p in self.provinces}


def user_editions_dir() -> Path:
    from core.paths import data_dir
    return data_dir() / "divisions"


@lru_cache(maxsize=4)
def _load(folder: str, edition: int) -> DivisionCatalogue:
    return DivisionCatalogue(Path(folder), edition)


_current: DivisionCatalogue | None = None


def catalogue() -> DivisionCatalogue:
    """The newest edition available: an imported one in the data folder, else the shipped one.
    Looked up once per process (it is asked for per row on imports); ``import_edition`` refreshes it."""
    global _current
    if _current is None or _current_dir != os.environ.get("WEIJIAN_DATA_DIR", ""):
        _current = _find_catalogue()
    return _current


_current_dir = ""


def _find_catalogue() -> DivisionCatalogue:
    global _current_dir
    _current_dir = os.environ.get("WEIJIAN_DATA_DIR", "")   # the data folder moves only in tests
    best = (SHIPPED_EDITION, resource_path("divisions"))
    root = user_editions_dir()
    if root.is_dir():
        for sub in root.iterdir():
            if (m := re.fullmatch(r"(\d{4})", sub.name)) and all((sub / f).exists() for f in FILES):
                if int(m[1]) > best[0]:
                    best = (int(m[1]), sub)
    return _load(str(best[1]), best[0])


def import_edition(source: Path, edition: int) -> DivisionCatalogue:
    """Take a newer edition (a folder with the four CSVs in the shipped layout)."""
    missing = [f for f in FILES if not (source / f).exists()]
    if missing:
        raise DataError(f"区划代码文件夹 {source} 缺少：{'、'.join(missing)}。")
    try:
        candidate = DivisionCatalogue(source, edition)
    except (KeyError, UnicodeDecodeError, csv.Error) as e:
        raise DataError(f"区划代码文件格式不对（应与 2022 版相同的列）：{e}") from e
    if not candidate.counties or not candidate.townships:
        raise DataError("区划代码文件中没有县或乡镇。")
    target = user_editions_dir() / str(edition)
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for f in FILES:
        shutil.copy2(source / f, tmp / f)
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    global _current
    _load.cache_clear()
    _current = None
    return catalogue()

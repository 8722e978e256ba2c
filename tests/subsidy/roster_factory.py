"""Generated 花名册 workbooks for tests and the benchmark: ``write_roster(path, n)`` writes n valid
recipients of 梨树县 (220322) in the product's template layout; ``messy=True`` writes the same kind of
people the way counties' own rosters look (title rows, a merged 填报单位 line, other column names, dates
and numbers spelled every which way, blank rows, a 合计 row and notes at the bottom) — still n rows
that all import. The same seed gives the same people either way.

Written with xlsxwriter's constant_memory mode (rows stream to disk): 100,000 rows need little memory.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import xlsxwriter
from stdnum.cn import ric

COUNTY = "220322"
TEMPLATE_HEADINGS = ["序号", "姓名", "性别", "公民身份号码", "出生日期", "民族", "乡镇（街道）", "村（居）", "户口性质",
                     "联系电话", "扶助项目", "首次确认年度", "开户银行", "银行账号", "状态", "退出原因", "退出日期", "备注"]
MESSY_HEADINGS = ["序号", "姓名", "性别", "身份证号码", "出生年月", "民族", "乡（镇）", "村（社区）", "户籍性质",
                  "电话", "项目", "纳入年度", "开户行", "一卡通账号", "状态", "退出原因", "退出日期", "备注"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "淑秀英华玉兰桂芳凤珍春梅丽云凤霞金荣德明国志建军文海福山永成宝贵树林振庆"
VILLAGES = ["东风村", "前进村", "新发村", "永安村", "太平村", "胜利村", "红星村", "民主村"]
BANKS = ["梨树农商银行", "中国农业银行梨树支行", "中国邮政储蓄银行", "吉林银行"]
FIRST_BORN, LAST_BORN = date(1933, 1, 1), date(1964, 12, 31)
SPECIAL_SHARE = 0.05   # 特别扶助（独生子女死亡）: imported as 待补充 (the roster has no child details)


def _id_number(born: date, seq: int) -> str:
    body = f"{COUNTY}{born:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def _people(n: int, rng: random.Random):
    """n distinct (birth date, sequence) pairs: unique ID numbers."""
    days = (LAST_BORN - FIRST_BORN).days + 1
    for combo in rng.sample(range(days * 1000), n):
        yield FIRST_BORN + timedelta(days=combo // 1000), combo % 1000


def _record(i: int, born: date, seq: int, towns: list[str], rng: random.Random) -> dict:
    special = rng.random() < SPECIAL_SHARE
    start = born.year + (49 if special else 60)
    first_year = min(max(start, 2004) + rng.randint(0, 3), 2024)
    return {
        "name": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2))),
        "sex": "男" if seq % 2 else "女",
        "id": _id_number(born, seq),
        "born": born,
        "town": towns[i % len(towns)],
        "village": rng.choice(VILLAGES),
        "hukou": "非农业" if special and rng.random() < 0.3 else "农业",
        "phone": f"13{rng.randint(0, 999_999_999):09d}",
        "program": "SPECIAL_DEATH" if special else "RURAL_REWARD",
        "first_year": first_year,
        "bank": rng.choice(BANKS),
        "account": f"6217{i:015d}",
    }


PROGRAM_TEXT = {"RURAL_REWARD": "农村部分计划生育家庭奖励扶助", "SPECIAL_DEATH": "计划生育家庭特别扶助（独生子女死亡）"}
MESSY_PROGRAM_TEXT = {"RURAL_REWARD": ["奖励扶助", "农村奖扶", "RURAL_REWARD"], "SPECIAL_DEATH": ["特别扶助（死亡）", "特扶死亡"]}
FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def _template_cells(n: int, r: dict) -> list:
    return [n, r["name"], r["sex"], r["id"], r["born"], "汉族", r["town"], r["village"], r["hukou"], r["phone"],
            PROGRAM_TEXT[r["program"]], r["first_year"], r["bank"], r["account"], "享受中", "", "", ""]


def _messy_cells(n: int, r: dict, rng: random.Random) -> list:
    ident = r["id"]
    style = n % 5
    if style == 1:
        ident = ident.translate(FULLWIDTH)
    elif style == 2:
        ident = f" {ident[:6]} {ident[6:14]} {ident[14:]} "
    elif style == 3:
        ident = ident.lower()
    born = r["born"]
    born_text = [born, f"{born:%Y.%m.%d}", f"{born.year}-{born.month}-{born.day}",
                 f"{born.year}年{born.month}月{born.day}日", int(f"{born:%Y%m%d}")][n % 5]
    town = r["town"] if n % 2 else r["town"].removesuffix("镇").removesuffix("乡")
    account = r["account"] if n % 3 else " ".join(r["account"][k:k + 4] for k in range(0, 19, 4))
    return [n, f" {r['name']} ", r["sex"], ident, born_text, "汉", town, r["village"].removesuffix("村"), r["hukou"],
            r["phone"], rng.choice(MESSY_PROGRAM_TEXT[r["program"]]), str(r["first_year"]), r["bank"], account,
            "享受中", "", "", ""]


def write_roster(path, n: int, seed: int = 1, messy: bool = False) -> Path:
    """Write n valid rows for 梨树县 townships to ``path`` (.xlsx) and return the path."""
    from core.divisions import catalogue
    path = Path(path)
    rng = random.Random(seed)
    spelling = random.Random(seed + 1)   # messy spellings drawn apart: the same seed gives the same people
    towns = [t.name for t in catalogue().townships_of(COUNTY)]
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                               "strings_to_formulas": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet("花名册")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    row = _write_top(sheet, workbook, messy)
    for number, (born, seq) in enumerate(_people(n, rng), start=1):
        record = _record(number, born, seq, towns, rng)
        cells = _messy_cells(number, record, spelling) if messy else _template_cells(number, record)
        _write_cells(sheet, row, cells, date_format)
        row += 1
        if messy and number % 1000 == 500:
            row += 1   # a blank row in the middle
    if messy:
        sheet.write_string(row, 0, "合计")
        sheet.write_string(row, 1, f"{n}人")
        sheet.write_string(row + 2, 0, "注：本表由各乡镇计生办填报，身份证号须为18位。")
    workbook.close()
    return path


def _write_top(sheet, workbook, messy: bool) -> int:
    """Title lines and the heading row; returns the first data row (0-based)."""
    bold = workbook.add_format({"bold": True})
    if not messy:
        sheet.write_row(0, 0, TEMPLATE_HEADINGS, bold)
        return 1
    last = len(MESSY_HEADINGS) - 1
    sheet.merge_range(0, 0, 0, last, "梨树县农村部分计划生育家庭奖励扶助对象花名册", bold)
    sheet.merge_range(1, 0, 1, 8, "填报单位（盖章）：梨树县卫生健康局")
    sheet.write_string(1, 12, "填报日期：2024年3月")
    sheet.write_row(3, 0, MESSY_HEADINGS, bold)
    return 4


def _write_cells(sheet, row: int, cells: list, date_format) -> None:
    for col, value in enumerate(cells):
        if isinstance(value, str):
            if value:
                sheet.write_string(row, col, value)
        elif isinstance(value, date):
            sheet.write_datetime(row, col, value, date_format)
        else:
            sheet.write_number(row, col, value)

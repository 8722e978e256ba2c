"""Identity numbers: the citizen ID (GB 11643), the unified social credit code (GB 32100) and bank
account numbers — normalised and checked, with the reason in Chinese.

python-stdnum gives the checksum arithmetic; its ``ric.validate`` is *not* used because it rejects an ID
whose county code did not exist yet in the person's birth year — nearly every elderly recipient — and its
``uscc.validate`` rejects real codes beginning with A, N or Y (see ENVIRONMENT.md). Those checks are here.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from stdnum.cn import ric

_FULLWIDTH = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)} | {"Ｘ": "X", "ｘ": "X"})
_EXCEL_FLOAT = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")
_SEPARATORS = re.compile(r"[\s\-\u00a0\u3000]")
_ID_SHAPE = re.compile(r"\d{17}[\dX]")


def normalise_text_number(value: object) -> str:
    """Full-width digits → ASCII, spaces and dashes removed, x → X. Keeps anything else for the checks."""
    if value is None:
        return ""
    if value.__class__ is str and value.isascii() and value.isalnum():   # the common case: nothing to do
        return value.upper()
    if isinstance(value, float):
        if value.is_integer():
            value = repr(value) if value >= 1e16 else str(int(value))
        else:
            value = repr(value)
    text = unicodedata.normalize("NFKC", str(value)).translate(_FULLWIDTH)
    text = _SEPARATORS.sub("", text)
    return text.upper()


@dataclass
class IdCheck:
    number: str                     # normalised
    ok: bool
    problem: str = ""               # why it is refused (Chinese); empty when ok
    warnings: list[str] = field(default_factory=list)
    birth_date: date | None = None
    sex: str | None = None          # "男" / "女"

    @property
    def region(self) -> str:
        return self.number[:6]


def check_citizen_id(value: object, *, today: date | None = None, regions=None) -> IdCheck:
    """Check a 公民身份号码: 18 characters, GB 11643 check character, a real birth date not in the future.
    An unknown region code is only a warning (codes are abolished and renumbered). ``regions``: the
    division catalogue to ask (a caller checking many numbers looks it up once), else the current one."""
    raw = "" if value is None else str(value).strip()
    number = normalise_text_number(value)
    if not number:
        return IdCheck("", False, "身份证号为空")
    if ("E" in number or "e" in raw) and (_EXCEL_FLOAT.match(number) or _EXCEL_FLOAT.match(raw.replace(" ", ""))) or (
            isinstance(value, float) and value > 1e16):
        return IdCheck(number, False, "身份证号被 Excel 存成了数字（科学计数法），末几位已经丢失，无法修复，请从原始档案重新录入")
    if isinstance(value, int) and not isinstance(value, bool) and len(number) == 18 and number.endswith("0"):
        # An 18-digit integer cell: Excel keeps only 15 significant digits, so the last three are zeros.
        if number[15:] == "000":
            return IdCheck(number, False, "身份证号被 Excel 存成了数字，后三位已变成 000，无法修复，请从原始档案重新录入")
    if len(number) == 15 and number.isdigit():
        return IdCheck(number, False, "这是 15 位的旧身份证号，请换成 18 位号码")
    if len(number) != 18:
        return IdCheck(number, False, f"身份证号应为 18 位，这里是 {len(number)} 位")
    if not _ID_SHAPE.fullmatch(number):
        return IdCheck(number, False, "身份证号只能是 17 位数字加一位数字或 X")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return IdCheck(number, False, f"身份证号中的出生日期 {number[6:14]} 不存在")
    today = today or date.today()
    if born > today:
        return IdCheck(number, False, f"身份证号中的出生日期 {born:%Y-%m-%d} 晚于今天")
    if born.year < 1880:
        return IdCheck(number, False, f"身份证号中的出生年份 {born.year} 不合理")
    expected = ric.calc_check_digit(number)
    if number[-1] != expected:
        return IdCheck(number, False, f"身份证号校验位错误（最后一位应为 {expected}，可能有数字输错）")
    sex = "男" if int(number[16]) % 2 else "女"
    result = IdCheck(number, True, birth_date=born, sex=sex)
    if regions is None:
        from core.divisions import catalogue
        regions = catalogue()
    if not regions.knows_region(number[:6]):
        result.warnings.append(f"身份证号的地区码 {number[:6]} 不在区划代码中（可能是已撤销的旧代码），请核对")
    return result


def mask_citizen_id(number: str) -> str:
    """For public notices (公示): first 6 and last 4 shown, ``220322********1234``."""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_account(number: str) -> str:
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


# -- bank accounts ---------------------------------------------------------------------------------

def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def check_account(value: object, *, luhn: bool = False) -> tuple[str, str]:
    """(normalised number, problem or ""). Bank cards / 社保卡: digits only, 12–30 long; the Luhn check
    only where the bank uses it (a per-bank setting), since many passbook accounts do not."""
    number = normalise_text_number(value)
    if not number:
        return "", ""
    if _EXCEL_FLOAT.match(number) or (isinstance(value, float) and value > 1e15):
        return number, "银行账号被 Excel 存成了数字（科学计数法），后几位已丢失，请重新录入"
    if not number.isdigit():
        return number, "银行账号只能包含数字"
    if not 12 <= len(number) <= 30:
        return number, f"银行账号位数不对（{len(number)} 位，应为 12–30 位）"
    if luhn and not luhn_ok(number):
        return number, "银行卡号校验不通过（可能有数字输错）"
    return number, ""


# -- unified social credit code (GB 32100) --------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_credit_code(value: object) -> tuple[str, str]:
    """(normalised code, problem or ""). Letters A, N, Y … are allowed in the first position (since 2016)."""
    code = normalise_text_number(value)
    if len(code) != 18:
        return code, f"统一社会信用代码应为 18 位，这里是 {len(code)} 位"
    bad = [c for c in code if c not in USCC_ALPHABET]
    if bad:
        return code, f"统一社会信用代码含有不允许的字符“{bad[0]}”（不用 I、O、Z、S、V）"
    if not code[2:8].isdigit():
        return code, "统一社会信用代码第 3–8 位应为登记管理机关行政区划码（数字）"
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(code[:17], USCC_WEIGHTS))
    expected = USCC_ALPHABET[(31 - total % 31) % 31]
    if code[17] != expected:
        return code, f"统一社会信用代码校验位错误（最后一位应为 {expected}）"
    return code, ""

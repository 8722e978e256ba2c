"""Building blocks for the supervision tests: valid credit codes by the GB 32100 rule (computed here,
independently of core.idnumbers), officers, a case form, and running a case through its stages."""
from __future__ import annotations

from datetime import date

from core.supervision import case_stages as st
from core.supervision import cases as cs

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code(first17: str) -> str:
    """Complete 17 characters with the GB 32100 check character: (31 − Σ value×weight mod 31) mod 31."""
    assert len(first17) == 17
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS))
    return first17 + ALPHABET[(31 - total % 31) % 31]


CLINIC_CODE = credit_code("91220322MA17XK3P1")          # an ordinary enterprise code (begins with digits)
Y_CODE = credit_code("Y1220322MA0Q8R2L0")               # registered by "other" authorities: begins with Y
A_CODE = credit_code("A1220322MA1B4T6U2")               # begins with A


def person_id(born: str = "19800101", seq: str = "123") -> str:
    from stdnum.cn import ric
    body = "220322" + born + seq
    return body + ric.calc_check_digit(body + "0")


def officers(n: int = 2) -> list[cs.OfficerInput]:
    people = [("张伟", "22030001"), ("李娜", "22030002"), ("王强", "22030003")]
    return [cs.OfficerInput(name, cert) for name, cert in people[:n]]


def case_input(**kw) -> cs.CaseInput:
    values = dict(
        cause="未取得《医疗机构执业许可证》擅自执业", category="MEDICAL", source="ROUTINE", party_type="UNIT",
        party_name="梨树县康宁诊所", party_code=CLINIC_CODE, party_address="梨树镇中心街 8 号", legal_rep="王建国",
        offence_on=date(2025, 1, 2), lead_on=None, filed_on=date(2025, 1, 6),
        facts="2025年1月2日现场检查发现该诊所未取得执业许可证开展诊疗活动。",
        violated="《医疗机构管理条例》第十四条", basis="《医疗机构管理条例》第四十三条",
        officers=officers(), penalties=[cs.PenaltyInput("FINE", "3000"), cs.PenaltyInput("WARNING")],
    )
    values.update(kw)
    return cs.CaseInput(**values)


NORMAL_PATH = ["INVESTIGATED", "NOTICE", "DECISION", "SERVED", "EXECUTION", "CLOSED"]


def new_case(db, actor, **kw) -> int:
    with db.session(actor) as s:
        return cs.save_case(s, actor, case_input(**kw)).id


def run(db, actor, case_id: int, *steps: tuple[str, date]) -> st.StageResult:
    result = None
    for stage, on in steps:
        with db.session(actor) as s:
            result = st.advance(s, actor, case_id, stage, on)
    return result

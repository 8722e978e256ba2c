"""The headless command line (DESIGN.md contract). Imports no Qt.

Exit codes: 0 success; 1 a failure in the data (rows rejected, a file refused, a damaged database);
2 wrong usage. ``--json`` prints exactly one JSON object (English keys) to stdout; messages to people
are Chinese. No traceback reaches a user: unexpected errors are logged and summarised.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any, Callable

from core.errors import DataError, UsageError, UserFacingError

log = logging.getLogger(__name__)

NOT_YET = {
    "import cases": "监督案件导入",
    "package": "乡镇与县之间的数据包交换",
}


class ChineseArgumentParser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own messages are English; say what is wrong in Chinese
        self.print_usage(sys.stderr)
        text = (message.replace("the following arguments are required", "缺少必需的参数")
                .replace("unrecognized arguments", "无法识别的参数")
                .replace("invalid choice", "无效的选项")
                .replace("expected one argument", "需要一个参数"))
        print(f"用法错误：{text}", file=sys.stderr)
        raise SystemExit(2)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="输出一个 JSON 对象（供脚本使用）")
    p.add_argument("--db", default=argparse.SUPPRESS, help="数据库文件路径或 SQLAlchemy URL")


def build_parser() -> ChineseArgumentParser:
    parser = ChineseArgumentParser(prog="main.py", description="卫健台账 命令行（无参数时打开图形界面）")
    parser.add_argument("--db", help="数据库文件路径或 SQLAlchemy URL（默认：用户数据文件夹中的 weijian.sqlite）")
    parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象（供脚本使用）")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ChineseArgumentParser)

    p = sub.add_parser("init", help="创建或升级数据库")
    _common(p)
    p.add_argument("--county-code", required=True, help="县（区）6 位代码，如 220322")
    p.add_argument("--county-name", help="县（区）名称，如 梨树县")
    p.add_argument("--township-code", help="乡镇安装：本乡镇 9 位代码")
    p.add_argument("--no-townships", action="store_true", help="不自动填入区划代码中的乡镇")

    p = sub.add_parser("orgunits", help="组织机构")
    osub = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=ChineseArgumentParser)
    pi = osub.add_parser("import", help="从 CSV 导入（列：code,name[,parent_code]）")
    _common(pi)
    pi.add_argument("file", type=Path)
    pl = osub.add_parser("list", help="列出组织机构")
    _common(pl)

    p = sub.add_parser("demo", help="生成演示数据（演示县）")
    _common(p)
    p.add_argument("--recipients", type=int, default=None, metavar="N",   # None: core.demo.DEMO_RECIPIENTS
                   help="生成的扶助对象人数（默认与图形界面的演示数据相同，300 人；0 表示不生成）")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="随机数种子（默认 1）")

    p = sub.add_parser("check", help="检查数据库完整性、版本和记录数")
    _common(p)

    p = sub.add_parser("export", help="导出报表")
    _common(p)
    p.add_argument("return_id", metavar="RETURN_ID")
    p.add_argument("--period")
    p.add_argument("--org")
    p.add_argument("--program")
    p.add_argument("--format", required=True, choices=["xlsx", "pdf", "json", "csv"])
    p.add_argument("--out", type=Path, help="输出文件（json 可省略，直接打印）")

    p = sub.add_parser("datavalues", help="妇幼月报数据值的导入导出（DHIS2 dataValueSet 格式）")
    dsub = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=ChineseArgumentParser)
    pi = dsub.add_parser("import", help="导入数据值文件（.csv 或 .json）")
    _common(pi)
    pi.add_argument("file", type=Path)
    pe = dsub.add_parser("export", help="导出数据值文件（.csv 或 .json）")
    _common(pe)
    pe.add_argument("--period", required=True, help="报告期：202109、2021Q3、2021、2020Oct、202101..202109")
    pe.add_argument("--org", help="县代码或乡镇（街道）代码（默认：全县）")
    pe.add_argument("--out", type=Path, required=True, help="输出文件 .csv 或 .json")

    p = sub.add_parser("backup", help="备份数据库")
    _common(p)
    p.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("restore", help="从备份恢复（会先自动备份当前数据库）")
    _common(p)
    p.add_argument("file", type=Path)

    p = sub.add_parser("users", help="用户管理")
    usub = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=ChineseArgumentParser)
    pa = usub.add_parser("add", help="添加用户（密码从标准输入读取）")
    _common(pa)
    pa.add_argument("--username", required=True)
    pa.add_argument("--name", default="")
    pa.add_argument("--role", required=True, choices=["CLERK", "SUPERVISOR", "ADMIN"])
    pa.add_argument("--township", action="append", default=[], help="录入员限定的乡镇代码（可重复）")
    pu = usub.add_parser("list", help="列出用户")
    _common(pu)

    p = sub.add_parser("cases", help="卫生监督案件")
    csub = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=ChineseArgumentParser)
    pc = csub.add_parser("overdue", help="列出超过法定期限（立案、办案、送达、缴款、一案一卡等）的案件")
    _common(pc)
    pc.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD", help="按哪一天计算（默认：今天）")

    for name, label in NOT_YET.items():
        if " " in name:
            continue
        p = sub.add_parser(name, help=f"{label}（尚未启用）", add_help=False)
        p.add_argument("rest", nargs=argparse.REMAINDER)
    p = sub.add_parser("import", help="导入 Excel 表（扶助对象花名册）")
    isub = p.add_subparsers(dest="what", metavar="WHAT", required=True, parser_class=ChineseArgumentParser)
    pi = isub.add_parser("subsidy", help="导入扶助对象花名册（.xlsx / .xls / .ods）")
    _common(pi)
    pi.add_argument("file", type=Path, help="花名册工作簿")
    pi.add_argument("--program", help="所有行都属于这个扶助项目（项目代码，如 RURAL_REWARD）；不给时读表中的“扶助项目”列")
    pi.add_argument("--sheet", help="工作表名称（默认：第一个能认出表头的工作表）")
    pi.add_argument("--dry-run", action="store_true", help="只检查、写出未导入行，不改动数据库")
    pi.add_argument("--rejects", type=Path, help="未导入行的输出文件（默认：原文件旁的“<原文件名>-未导入.xlsx”）")
    pc = isub.add_parser("cases", help="导入监督案件台账（.xlsx / .xls / .ods）")
    _common(pc)
    pc.add_argument("file", type=Path, help="案件台账工作簿")
    pc.add_argument("--sheet", help="工作表名称（默认：第一个能认出表头的工作表）")
    pc.add_argument("--dry-run", action="store_true", help="只检查、写出未导入行，不改动数据库")
    pc.add_argument("--rejects", type=Path, help="未导入行的输出文件（默认：原文件旁的“<原文件名>-未导入.xlsx”）")
    return parser


# -- output ---------------------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    if is_dataclass(value):
        return {k: _plain(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


class Output:
    def __init__(self, as_json: bool):
        self.as_json = as_json

    def done(self, payload: dict, human: str) -> int:
        if self.as_json:
            print(json.dumps({"ok": True, **_plain(payload)}, ensure_ascii=False, default=str))
        else:
            print(human)
        return 0

    def failed(self, message: str, code: int, details: list[str] | None = None, payload: dict | None = None) -> int:
        if self.as_json:
            print(json.dumps({"ok": False, "error": message, "details": details or [], **_plain(payload or {})},
                             ensure_ascii=False, default=str))
        else:
            print(f"错误：{message}", file=sys.stderr)
            for d in (details or [])[:50]:
                print(f"  · {d}", file=sys.stderr)
            if details and len(details) > 50:
                print(f"  …… 另有 {len(details) - 50} 条", file=sys.stderr)
        return code


# -- commands -------------------------------------------------------------------------------------

def _open(args, *, create: bool = False, current: bool = True):
    from core.database import Database
    from core.paths import configured_database
    db = Database.connect(args.db or configured_database(), create=create)
    if current:
        from core.installation import is_initialised
        db.ensure_current()
        if not is_initialised(db):
            raise DataError("数据库尚未初始化，请先运行 init --county-code ……（或 demo）。")
    return db


def cmd_init(args, out: Output, actor) -> int:
    from core.installation import initialise
    db = _open(args, create=True, current=False)
    r = initialise(db, actor, args.county_code, args.county_name, args.township_code, fill_townships=not args.no_townships)
    human = (f"{'已创建' if r.created else '已检查并升级'}数据库：{r.county_code} {r.county_name}"
             + (f"（乡镇安装：{r.township_code}）" if r.township_code else "")
             + (f"，填入乡镇（街道）{r.townships_added} 个" if r.townships_added else "") + "。")
    for w in r.warnings:
        human += f"\n提示：{w}"
    return out.done(asdict(r), human)


def cmd_orgunits(args, out: Output, actor) -> int:
    from core import orgunits
    db = _open(args)
    if args.action == "list":
        with db.session() as s:
            units = orgunits.list_units(s)
        rows = [{"code": u.code, "name": u.name, "level": u.level, "parent_code": u.parent_code,
                 "closed_on": u.closed_on} for u in units]
        return out.done({"units": rows}, "\n".join(f"{u.code}\t{u.name}\t{u.level_name}\t{u.status}" for u in units))
    with db.session(actor) as s:
        r = orgunits.import_csv(s, actor, args.file)
    return out.done(asdict(r), f"读取 {r.read} 行：新增 {r.added}，改名 {r.renamed}，未变 {r.unchanged}。")


def cmd_demo(args, out: Output, actor) -> int:
    from core.database import Database
    from core.demo import DEMO_RECIPIENTS, create_demo
    from core.paths import configured_database
    db = Database.connect(args.db or configured_database(), create=True)
    recipients = DEMO_RECIPIENTS if args.recipients is None else args.recipients
    r = create_demo(db, actor, seed=args.seed, recipients=recipients)
    human = (f"已生成演示数据（演示县 {r.county_code}）：乡镇 {r.townships} 个，村 {r.villages} 个"
             + (f"，账号 {'、'.join(r.users)}（密码 demo1234）" if r.users else "") + "。")
    for n in r.notes:
        human += f"\n提示：{n}"
    return out.done(asdict(r), human)


def cmd_check(args, out: Output, actor) -> int:
    from core.installation import check
    db = _open(args, current=False)
    r = check(db)
    lines = [f"数据库：{r['database']}（{r['backend']}）", f"架构版本：{r['schema_revision']}（程序：{r['program_schema']}）"]
    if r.get("county"):
        lines.append(f"所属：{r['county']['code']} {r['county']['name']}" + (f"，乡镇安装 {r['township_code']}" if r.get("township_code") else ""))
    lines += [f"  {k}: {v}" for k, v in r["counts"].items()]
    if r["ok"]:
        lines.append("检查通过。")
        return out.done(r, "\n".join(lines))
    if not out.as_json:
        print("\n".join(lines))
    return out.failed(f"检查发现 {len(r['problems'])} 个问题。", 1, r["problems"], r)


def cmd_export(args, out: Output, actor) -> int:
    from core.returns.catalogue import build_return
    from core.returns.render import render
    db = _open(args)
    if args.format != "json" and not args.out:
        raise UsageError(f"导出 {args.format} 需要 --out 输出文件。")
    with db.session(actor) as s:
        table = build_return(s, actor, args.return_id, args.period, args.org, args.program)
        if args.out:
            rows = render(table, args.format, args.out)
    if not args.out:  # JSON to stdout: the return itself is the one JSON object
        from core.returns.tabular import render_json
        print(render_json(table, None))
        return 0
    return out.done({"id": table.id, "title": table.title, "period": table.period, "org": table.org,
                     "format": args.format, "out": str(args.out), "rows": rows},
                    f"已导出 {table.title}（{rows} 行）到 {args.out}")


def cmd_datavalues(args, out: Output, actor) -> int:
    from core.mch import dhis2
    dhis2.file_format(args.out if args.action == "export" else args.file)   # wrong type: usage, before opening
    db = _open(args)
    if args.action == "export":
        with db.session(actor) as s:
            r = dhis2.export_values(s, actor, args.period, args.out, args.org)
        return out.done({"out": str(r.out), "period": r.period, "org": r.org, "values": r.values},
                        f"已导出 {r.values} 个数值到 {r.out}。")
    with db.session(actor) as s:   # one transaction: all good rows, or nothing on a failure
        r = dhis2.import_values(s, actor, args.file)
    human = f"{args.file.name}：{r.summary()}"
    if not r.rejected:
        return out.done(r.counts(), human)
    if not out.as_json:
        print(human)
    details = [f"第 {x.line} {r.line_word}：{x.reason}" for x in r.rejects]
    return out.failed(f"有 {r.rejected} {r.line_word}未导入，其余已导入。改正后可再次导入该文件（已导入的行会记为未变）。",
                      1, details, r.counts())


def cmd_backup(args, out: Output, actor) -> int:
    from core.backup import backup
    db = _open(args)
    m = backup(db, actor, args.out)
    total = sum(t["rows"] for t in m["tables"].values())
    return out.done({"out": str(args.out), "schema_revision": m["schema_revision"],
                     "tables": {k: v["rows"] for k, v in m["tables"].items()}},
                    f"已备份到 {args.out}（{len(m['tables'])} 张表，{total} 行）。")


def cmd_restore(args, out: Output, actor) -> int:
    from core.backup import restore
    db = _open(args, create=True, current=False)
    r = restore(db, actor, args.file)
    return out.done(r, f"已从 {args.file} 恢复。" + (f"恢复前的数据库已备份到 {r['safety_backup']}。" if r["safety_backup"] else ""))


def cmd_users(args, out: Output, actor) -> int:
    from core import users
    from core.access import Role
    db = _open(args)
    if args.action == "list":
        with db.session(actor) as s:
            rows = users.list_users(s, actor)
        return out.done({"users": [{"username": u.username, "name": u.display_name, "role": u.role.value,
                                    "active": u.active, "locked": u.locked, "townships": list(u.townships)} for u in rows]},
                        "\n".join(f"{u.username}\t{u.display_name}\t{u.role.label}\t{'有效' if u.active else '停用'}" for u in rows))
    password = sys.stdin.readline().rstrip("\r\n")
    with db.session(actor) as s:
        u = users.create_user(s, actor, args.username, args.name, Role(args.role), password, args.township)
    return out.done({"username": u.username, "role": u.role.value}, f"已添加用户 {u.username}（{u.role.label}）。")


def cmd_import(args, out: Output, actor) -> int:
    if args.what == "cases":
        return _import_cases(args, out, actor)
    if args.what != "subsidy":
        return out.failed(f"{NOT_YET['import ' + args.what]}功能尚未启用（将在后续版本提供）。", 2)
    from core.imports import default_rejects_path
    from core.subsidy.roster_import import import_roster, open_roster
    db = _open(args)
    table = open_roster(args.file, sheet=args.sheet)
    rejects = None
    with db.session(actor) as s:  # one transaction: a failure (even writing the rejects) saves nothing
        r = import_roster(s, actor, table, program=args.program, dry_run=args.dry_run)
        if r.rejected:
            rejects = r.write_rejects(args.rejects or default_rejects_path(args.file))
    payload = {"file": str(args.file), "sheet": r.sheet, "header_row": r.header_row, **r.counts(),
               "rejects_file": str(rejects) if rejects else None}
    human = f"{args.file.name}（工作表“{r.sheet}”，第 {r.header_row} 行为表头）：{r.summary()}"
    if not r.rejected:
        return out.done(payload, human)
    if not out.as_json:
        print(human)
    details = [f"第 {x.number} 行：{x.reason}" for x in r.rejects[:200]]
    return out.failed(f"有 {r.rejected} 行未导入，原因已逐行写入 {rejects}。改正后可直接导入该文件。", 1, details, payload)


def _import_cases(args, out: Output, actor) -> int:
    from core.imports import default_rejects_path
    from core.supervision.case_import import import_cases, open_cases
    db = _open(args)
    table = open_cases(args.file, sheet=args.sheet)
    rejects = None
    with db.session(actor) as s:  # one transaction: a failure (even writing the rejects) saves nothing
        r = import_cases(s, actor, table, dry_run=args.dry_run)
        if r.rejected:
            rejects = r.write_rejects(args.rejects or default_rejects_path(args.file))
    payload = {"file": str(args.file), "sheet": r.sheet, "header_row": r.header_row,
               **r.counts(), "rejects_file": str(rejects) if rejects else None}
    human = f"{args.file.name}（工作表“{r.sheet}”，第 {r.header_row} 行为表头）：{r.summary()}"
    if not r.rejected:
        return out.done(payload, human)
    if not out.as_json:
        print(human)
    details = [f"第 {x.number} 行：{x.reason}" for x in r.rejects[:200]]
    return out.failed(f"有 {r.rejected} 行未导入，原因已逐行写入 {rejects}。改正后可直接导入该文件。", 1, details, payload)


def _day(text: str, option: str):
    import re
    from datetime import date
    value = (text or "").strip()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} 的日期“{text}”不对：应为 YYYY-MM-DD 格式的真实日期，例如 2025-10-09。") from None


def cmd_cases(args, out: Output, actor) -> int:
    from datetime import date
    from core.orgunits import installation_townships
    from core.supervision.case_deadlines import overdue_cases
    as_of = _day(args.as_of, "--as-of") if args.as_of else date.today()
    db = _open(args)
    with db.session() as s:
        rows = overdue_cases(s, as_of, township_codes=installation_townships(s))
    cases = [{"number": r.number, "cause": r.cause, "party": r.party, "deadline": r.deadline,
              "due": r.due.isoformat(), "days_overdue": r.days_overdue} for r in rows]
    if rows:
        lines = [f"截至 {as_of:%Y-%m-%d}，超过法定期限的案件 {len(rows)} 件："]
        lines += [f"{r.number or '（未编号）'}\t{r.party}\t{r.cause}\t{r.deadline}：期限 {r.due:%Y-%m-%d}，已逾期 {r.days_overdue} 天"
                  + (f"（另有：{'、'.join(r.others)}）" if r.others else "") for r in rows]
    else:
        lines = [f"截至 {as_of:%Y-%m-%d}，没有超过法定期限的案件。"]
    return out.done({"as_of": as_of.isoformat(), "count": len(cases), "cases": cases}, "\n".join(lines))


def cmd_not_yet(args, out: Output, actor) -> int:
    out.as_json = out.as_json or "--json" in (args.rest or [])
    label = NOT_YET.get(args.command) or NOT_YET.get(f"import {(args.rest or [''])[0]}") or "此功能"
    return out.failed(f"{label}功能尚未启用（将在后续版本提供）。", 2)


COMMANDS: dict[str, Callable] = {
    "init": cmd_init, "orgunits": cmd_orgunits, "demo": cmd_demo, "check": cmd_check, "export": cmd_export,
    "backup": cmd_backup, "restore": cmd_restore, "users": cmd_users,
    "import": cmd_import, "datavalues": cmd_datavalues, "cases": cmd_cases, "package": cmd_not_yet,
}


def main(argv: list[str]) -> int:
    from core.access import Actor
    from core.logging_setup import setup_logging
    setup_logging()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return int(e.code or 0)
    out = Output(bool(getattr(args, "json", False)))
    if not args.command:
        parser.print_help()
        return 2
    try:
        return COMMANDS[args.command](args, out, Actor.command_line())
    except UserFacingError as e:
        return out.failed(e.message, e.exit_code, e.details)
    except KeyboardInterrupt:
        return out.failed("已取消。", 1)
    except BrokenPipeError:  # output piped into `head` and closed early: not an error of ours
        sys.stdout = None  # type: ignore[assignment] - silence the interpreter's flush at exit
        return 0
    except Exception as e:  # noqa: BLE001 - no traceback reaches a user
        log.exception("unexpected error in command %s", args.command)
        from core.paths import logs_dir
        return out.failed(f"程序内部错误（{type(e).__name__}），操作未完成，已写入日志：{logs_dir()}", 1)

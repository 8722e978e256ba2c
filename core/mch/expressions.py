"""Expressions over data elements, as DHIS2 writes them: ``#{MCH_RISK_ORANGE} + #{MCH_RISK_RED}``,
``#{MCH_LIVE_BIRTHS.MALE}``, integers, + - * / and parentheses. Parsed once, evaluated many times,
with no ``eval``. A missing value makes the whole expression missing (None) — a blank is not zero."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Union

from core.errors import DataError

_TOKEN = re.compile(r"\s*(?:(#\{[A-Z0-9_]+(?:\.[A-Z0-9_]+)?\})|(\d+(?:\.\d+)?)|([-+*/()]))")

Node = Union["Ref", "Num", "BinOp", "Neg"]


@dataclass(frozen=True)
class Ref:
    element: str
    option: str = ""


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class BinOp:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Neg:
    operand: Node


def _tokens(text: str) -> list[str]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise DataError(f"表达式“{text}”在第 {pos + 1} 个字符处无法识别（数据项写作 #{{代码}}）。")
        out.append(m.group(0).strip())
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.toks = _tokens(text)
        self.i = 0

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> str:
        tok = self.peek()
        if tok is None:
            raise DataError(f"表达式“{self.text}”不完整。")
        self.i += 1
        return tok

    def expr(self) -> Node:
        node = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()
            node = BinOp(op, node, self.term())
        return node

    def term(self) -> Node:
        node = self.factor()
        while self.peek() in ("*", "/"):
            op = self.take()
            node = BinOp(op, node, self.factor())
        return node

    def factor(self) -> Node:
        tok = self.take()
        if tok == "-":
            return Neg(self.factor())
        if tok == "(":
            node = self.expr()
            if self.take() != ")":
                raise DataError(f"表达式“{self.text}”的括号不配对。")
            return node
        if tok.startswith("#{"):
            element, _, option = tok[2:-1].partition(".")
            return Ref(element, option)
        try:
            return Num(float(tok))
        except ValueError:
            raise DataError(f"表达式“{self.text}”中“{tok}”的位置不对。") from None


def parse(text: str) -> Node:
    p = _Parser(text)
    node = p.expr()
    if p.peek() is not None:
        raise DataError(f"表达式“{text}”在“{p.peek()}”处多余。")
    return node


def references(node: Node) -> set[Ref]:
    if isinstance(node, Ref):
        return {node}
    if isinstance(node, BinOp):
        return references(node.left) | references(node.right)
    if isinstance(node, Neg):
        return references(node.operand)
    return set()


def evaluate(node: Node, lookup: Callable[[str, str], float | None]) -> float | None:
    """``lookup(element, option)`` returns a number or None (not reported)."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Ref):
        return lookup(node.element, node.option)
    if isinstance(node, Neg):
        v = evaluate(node.operand, lookup)
        return None if v is None else -v
    a, b = evaluate(node.left, lookup), evaluate(node.right, lookup)
    if a is None or b is None:
        return None
    if node.op == "+":
        return a + b
    if node.op == "-":
        return a - b
    if node.op == "*":
        return a * b
    return None if b == 0 else a / b

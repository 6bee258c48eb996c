"""A small, safe expression language for eligibility rules and benefit amounts.

Expressions are Python-like text, parsed with :mod:`ast` and evaluated by walking the tree over
whole NumPy arrays; nothing is ever passed to ``eval``. Allowed:

- numbers, text in quotes, ``True``/``False``, names of variables and parameters;
- arithmetic ``+ - * /``, comparisons ``== != < <= > >=`` (chains too), ``in [..]`` and
  ``not in [..]`` with a list of literals, ``and``, ``or``, ``not``;
- member aggregates over the household: ``any(x)``, ``all(x)``, ``count(x)``, ``sum(x)``,
  ``min(x)``, ``max(x)`` (``x`` is evaluated for every member);
- ``least(a, b)``, ``greatest(a, b)``, ``where(condition, a, b)``;
- ``receives('pkh')`` and ``benefit('pkh')``: receipt and yearly amount of another programme.

A missing value never satisfies a condition: comparisons with it are false.

Limits keep a hostile or accidental expression from tying up a server or the CLI: at most
:data:`MAX_EXPRESSION_CHARS` characters, :data:`MAX_EXPRESSION_TERMS` terms (names, literals,
operations and calls, each counted once) and :data:`MAX_EXPRESSION_DEPTH` levels of nesting.
They are checked before anything else, and a breach is an :class:`ExpressionError` naming the
count and the limit.

>>> expr = parse_expression("age >= 60 and sex == 'female'")
>>> sorted(expr.names)
['age', 'sex']
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from setara.programmes.errors import ExpressionError, VariableTypeError

__all__ = [
    "MAX_EXPRESSION_CHARS",
    "MAX_EXPRESSION_DEPTH",
    "MAX_EXPRESSION_TERMS",
    "Expression",
    "Value",
    "parse_expression",
]

# A real rule (PKH's components, a list of 514 regency codes) stays far below these.
MAX_EXPRESSION_CHARS = 10_000
MAX_EXPRESSION_TERMS = 1_000
MAX_EXPRESSION_DEPTH = 100

NUM, BOOL, TEXT = "number", "boolean", "text"
AGGREGATES = ("any", "all", "count", "sum", "min", "max")
ELEMENTWISE = {"least": 2, "greatest": 2, "where": 3}
PROGRAMME_CALLS = ("receives", "benefit")
_ARITH: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: np.divide,
}
_ORDER: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
}


@dataclass(frozen=True)
class Value:
    """A typed value: ``kind`` is number, boolean or text; ``data`` an array or a scalar
    (``None`` when only types are checked). Text columns hold integer ``codes`` (``-1``
    missing) into ``categories``; a text literal has ``data`` equal to the string."""

    kind: str
    data: Any = None
    categories: tuple[str, ...] = ()
    label: str = ""

    @property
    def is_column(self) -> bool:
        return self.kind == TEXT and not isinstance(self.data, str)


class Environment(Protocol):
    """What an expression needs from the data it is evaluated on."""

    def variable(self, name: str, level: str) -> Value: ...

    def aggregate(self, values: npt.NDArray[Any], how: str) -> npt.NDArray[Any]: ...

    def to_persons(self, values: npt.NDArray[Any]) -> npt.NDArray[Any]: ...

    def programme(self, programme: str, what: str, level: str) -> Value: ...


@dataclass(frozen=True)
class Expression:
    """A parsed expression: its text, tree, the variable names and programmes it refers to."""

    text: str
    tree: ast.expr
    names: frozenset[str] = field(default_factory=frozenset)
    programmes: frozenset[str] = field(default_factory=frozenset)

    def evaluate(self, env: Environment, level: str, *, where: str = "") -> Value:
        """Evaluate over every unit of ``level`` ("household" or "person")."""
        return _Evaluator(env, self.text, where).node(self.tree, level)


def parse_expression(text: str | float | int | bool, *, where: str = "") -> Expression:
    """Parse ``text``; raise :class:`ExpressionError` naming the forbidden construct."""
    if isinstance(text, bool):
        source = "True" if text else "False"
    else:
        source = text.strip() if isinstance(text, str) else str(text)
    context = f"{where}: " if where else ""
    if not source:
        raise ExpressionError(f"{context}the expression is empty")
    if len(source) > MAX_EXPRESSION_CHARS:
        raise ExpressionError(
            f"{context}the expression has {len(source):,} characters; at most "
            f"{MAX_EXPRESSION_CHARS:,} are allowed"
        )
    try:
        tree = ast.parse(source, mode="eval").body
    except SyntaxError as exc:
        raise ExpressionError(f"{context}cannot parse {_shown(source)}: {exc.msg}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError(
            f"{context}{_shown(source)} is nested too deeply to read (at most "
            f"{MAX_EXPRESSION_DEPTH} levels are allowed)"
        ) from None
    _check_size(tree, context)
    names: set[str] = set()
    programmes: set[str] = set()
    _check_tree(tree, source, context, names, programmes)
    return Expression(source, tree, frozenset(names), frozenset(programmes))


def _shown(source: str, limit: int = 120) -> str:
    """The expression quoted for a message, shortened when long."""
    if len(source) <= limit:
        return repr(source)
    return repr(source[:limit]) + f" (and {len(source) - limit:,} more characters)"


def _check_size(tree: ast.expr, context: str) -> None:
    """Refuse more than MAX_EXPRESSION_TERMS terms or MAX_EXPRESSION_DEPTH levels, walking the
    tree with an explicit stack (no recursion, so any depth is measured safely)."""
    terms = sum(1 for node in ast.walk(tree) if _is_term(node))
    if terms > MAX_EXPRESSION_TERMS:
        raise ExpressionError(
            f"{context}the expression has {terms:,} terms; at most {MAX_EXPRESSION_TERMS:,} "
            "are allowed (split the rule, or use a parameter or a data column)"
        )
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_EXPRESSION_DEPTH:
            raise ExpressionError(
                f"{context}the expression is nested more than {MAX_EXPRESSION_DEPTH} levels deep "
                "(each term of a chain of + or - is one level)"
            )
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node) if _is_term(child))


def _is_term(node: ast.AST) -> bool:
    """Names, literals, operations and calls; not the operator and context markers."""
    return not isinstance(
        node, ast.expr_context | ast.boolop | ast.operator | ast.unaryop | ast.cmpop
    )


def _check_tree(
    node: ast.AST, source: str, context: str, names: set[str], programmes: set[str]
) -> None:
    bad = f"{context}{_shown(source)} uses "
    if isinstance(node, ast.Name):
        if node.id not in ("True", "False"):
            names.add(node.id)
        return
    if isinstance(node, ast.Constant):
        if not isinstance(node.value, int | float | str | bool):
            raise ExpressionError(bad + f"the constant {node.value!r}")
        return
    if isinstance(node, ast.Call):
        func = node.func.id if isinstance(node.func, ast.Name) else ""
        if node.keywords or not func:
            raise ExpressionError(bad + "a call that is not allowed")
        if func in PROGRAMME_CALLS:
            arg = node.args[0] if len(node.args) == 1 else None
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                raise ExpressionError(bad + f"{func}() without one programme id in quotes")
            programmes.add(arg.value)
            return
        expected = 1 if func in AGGREGATES else ELEMENTWISE.get(func)
        if expected is None:
            allowed = ", ".join([*AGGREGATES, *ELEMENTWISE, *PROGRAMME_CALLS])
            raise ExpressionError(bad + f"the unknown function {func}(); allowed: {allowed}")
        if len(node.args) != expected:
            raise ExpressionError(bad + f"{func}() with {len(node.args)} arguments, not {expected}")
        for arg in node.args:
            _check_tree(arg, source, context, names, programmes)
        return
    if isinstance(node, ast.Compare):
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn):
                if not isinstance(right, ast.List | ast.Tuple) or not all(
                    isinstance(e, ast.Constant) for e in right.elts
                ):
                    raise ExpressionError(bad + "'in' without a list of literals, e.g. [1, 2]")
            elif not isinstance(op, ast.Eq | ast.NotEq | ast.Lt | ast.LtE | ast.Gt | ast.GtE):
                raise ExpressionError(bad + f"the comparison {type(op).__name__}")
            else:
                _check_tree(right, source, context, names, programmes)
        _check_tree(node.left, source, context, names, programmes)
        return
    permitted: bool = (
        isinstance(node, ast.BoolOp)
        or (isinstance(node, ast.BinOp) and type(node.op) in _ARITH)
        or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not | ast.USub | ast.UAdd))
    )
    if not permitted:
        raise ExpressionError(bad + f"{type(node).__name__}, which is not allowed")
    for child in ast.iter_child_nodes(node):
        if not isinstance(child, ast.boolop | ast.operator | ast.unaryop):
            _check_tree(child, source, context, names, programmes)


class _Evaluator:
    def __init__(self, env: Environment, text: str, where: str) -> None:
        self.env = env
        self.text = text
        self.context = f"{where}: " if where else ""

    def fail(self, message: str) -> VariableTypeError:
        return VariableTypeError(f"{self.context}{self.text!r}: {message}")

    def node(self, node: ast.expr, level: str) -> Value:
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool):
                return Value(BOOL, v, label=repr(v))
            if isinstance(v, str):
                return Value(TEXT, v, label=repr(v))
            return Value(NUM, float(v), label=repr(v))  # type: ignore[arg-type]
        if isinstance(node, ast.Name):
            if node.id in ("True", "False"):
                return Value(BOOL, node.id == "True", label=node.id)
            return self.env.variable(node.id, level)
        if isinstance(node, ast.BoolOp):
            values = [self.boolean(self.node(v, level), "and/or") for v in node.values]
            combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
            return Value(BOOL, _reduce(combine, [v.data for v in values]), label="condition")
        if isinstance(node, ast.UnaryOp):
            operand = self.node(node.operand, level)
            if isinstance(node.op, ast.Not):
                return Value(BOOL, _apply(np.logical_not, self.boolean(operand, "not").data))
            number = self.number(operand, "a sign")
            sign = -1.0 if isinstance(node.op, ast.USub) else 1.0
            return Value(NUM, _apply(lambda x: sign * x, number.data), label=number.label)
        if isinstance(node, ast.BinOp):
            left = self.number(self.node(node.left, level), "arithmetic")
            right = self.number(self.node(node.right, level), "arithmetic")
            with np.errstate(divide="ignore", invalid="ignore"):
                data = _apply(_ARITH[type(node.op)], left.data, right.data)
            return Value(NUM, data, label="arithmetic")
        if isinstance(node, ast.Compare):
            return self.compare(node, level)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self.call(node.func.id, node.args, level)
        raise self.fail(f"{type(node).__name__} is not allowed")  # pragma: no cover

    def boolean(self, value: Value, what: str) -> Value:
        if value.kind != BOOL:
            raise self.fail(f"{what} needs a condition, but {value.label} is {value.kind}")
        return value

    def number(self, value: Value, what: str) -> Value:
        if value.kind == BOOL:
            return Value(NUM, _apply(lambda x: np.asarray(x, dtype=np.float64), value.data))
        if value.kind != NUM:
            raise self.fail(f"{what} needs numbers, but {value.label} is {value.kind}")
        return value

    def compare(self, node: ast.Compare, level: str) -> Value:
        left = self.node(node.left, level)
        result: Any = True
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            data: Any
            if isinstance(op, ast.In | ast.NotIn):
                assert isinstance(right_node, ast.List | ast.Tuple)  # checked by the parser
                items = [e.value for e in right_node.elts if isinstance(e, ast.Constant)]
                data = self.member(left, items)
                if isinstance(op, ast.NotIn):
                    data = _apply(np.logical_not, data)
                result = _apply(np.logical_and, result, data)
                continue
            right = self.node(right_node, level)
            if isinstance(op, ast.Eq | ast.NotEq):
                data = self.equal(left, right)
                if isinstance(op, ast.NotEq):
                    data = _apply(np.logical_not, data)
            else:
                a = self.number(left, "an order comparison")
                b = self.number(right, "an order comparison")
                data = _apply(_ORDER[type(op)], a.data, b.data)
            result = _apply(np.logical_and, result, data)
            left = right
        return Value(BOOL, result, label="comparison")

    def equal(self, left: Value, right: Value) -> Any:
        if TEXT in (left.kind, right.kind):
            if left.kind != right.kind:
                other = right if left.kind == TEXT else left
                raise self.fail(f"compares text with {other.label}, which is {other.kind}")
            if left.is_column and right.is_column:
                raise self.fail("compare a text column with a text literal, not another column")
            column, literal = (left, right) if not isinstance(left.data, str) else (right, left)
            if isinstance(column.data, str):
                return column.data == literal.data
            return self.member(column, [literal.data])
        a, b = self.number(left, "=="), self.number(right, "==")
        return _apply(np.equal, a.data, b.data)

    def member(self, value: Value, items: list[Any]) -> Any:
        texts = [i for i in items if isinstance(i, str)]
        if value.kind == TEXT:
            if len(texts) != len(items):
                raise self.fail(f"{value.label} is text but the list has numbers")
            if value.data is None:
                return None
            if isinstance(value.data, str):
                return value.data in texts
            lookup = np.zeros(len(value.categories) + 1, dtype=bool)  # last entry: missing
            lookup[[value.categories.index(t) for t in texts if t in value.categories]] = True
            return lookup[value.data]
        if texts:
            raise self.fail(f"{value.label} is {value.kind} but the list has text {texts[0]!r}")
        number = self.number(value, "'in'")
        return _apply(lambda x: np.isin(x, np.asarray(items, dtype=np.float64)), number.data)

    def call(self, func: str, args: list[ast.expr], level: str) -> Value:
        if func in PROGRAMME_CALLS:
            target = args[0]
            assert isinstance(target, ast.Constant)  # checked by the parser
            return self.env.programme(str(target.value), func, level)
        if func in AGGREGATES:
            inner = self.node(args[0], "person")
            if func in ("any", "all", "count"):
                data = self.boolean(inner, f"{func}()").data
            else:
                data = self.number(inner, f"{func}()").data
            out: Any = None if data is None else self.env.aggregate(np.asarray(data), func)
            if out is not None and level == "person":
                out = self.env.to_persons(out)
            return Value(NUM if func in ("count", "sum", "min", "max") else BOOL, out, label=func)
        values = [self.node(a, level) for a in args]
        if func == "where":
            condition = self.boolean(values[0], "where()").data
            a, b = (self.number(v, "where()") for v in values[1:])
            return Value(NUM, _apply(np.where, condition, a.data, b.data), label="where")
        a, b = (self.number(v, f"{func}()") for v in values)
        combine = np.fmin if func == "least" else np.fmax
        return Value(NUM, _apply(combine, a.data, b.data), label=func)


def _apply(func: Callable[..., Any], *args: Any) -> Any:
    """Apply ``func`` unless a value is only being type-checked (``None``)."""
    if any(a is None for a in args):
        return None
    return func(*args)


def _reduce(func: Callable[[Any, Any], Any], values: list[Any]) -> Any:
    out = values[0]
    for v in values[1:]:
        out = _apply(func, out, v)
    return out

"""A small, safe expression language over the columns of a batch, run with pyarrow.compute.

An expression computes a target column from several source columns, e.g.
``number(household_size) - number(adults)`` or
``"Y_LT18" if number(age) < 18 else "Y_GE18"``. The text is parsed with Python's
`ast` (``mode="eval"``) and compiled, node by node, from a whitelist into Arrow
compute calls; nothing is ever given to ``eval`` or ``exec``.

Syntax
    * columns: bare names (``age``), backticks for any other name
      (```group_a/age```), or ``col("group_a/age")``;
    * literals: text (``"F"``), numbers, ``True``, ``False``, ``None``;
    * ``+ - * / // %`` (numbers), ``== != < <= > >=`` (chains too:
      ``1 <= number(x) < 5``), ``and``, ``or``, ``not``, ``a if cond else b``,
      ``x in ("a", "b")`` and ``not in`` with a literal list;
    * functions: ``number``, ``text``, ``lower``, ``upper``, ``strip``,
      ``concat(a, b, ...)``, ``coalesce(a, b, ...)``, ``length``, ``round(x, n)``,
      ``year(d)``, ``date(x)``, ``is_empty(x)``, ``contains(x, "sub")``,
      ``split_count(x)`` (tokens of a Kobo select_multiple answer) and
      ``has_choice(x, "option")`` (whether a select_multiple answer has that option).

    Anything else (attributes, subscripts, lambdas, comprehensions, other functions,
    names starting with ``__``, unknown columns) raises `ExpressionError` with
    the offset in the text, e.g. ``unknown column 'agee' (did you mean 'age'?)``. So do
    texts longer than 10,000 bytes and brackets nested deeper than 50 levels.

Values and types
    A value is text, a number (float64), a boolean, a date or null. Columns are typed by
    their Arrow type (survey columns are text, as they are: not trimmed, except that a
    blank answer, empty or white space only, is null). Operators
    convert as needed: arithmetic works on numbers, so text is read as a number
    (``" 23 "`` is 23; text that is not a number fails the row). A comparison between a
    number and text compares numbers, a date and text dates, other mixes compare text;
    text compares with text as text (wrap both in ``number()`` to compare numerically).
    ``and``/``or``/``not``/``if`` read text ``true``/``false``/``1``/``0`` as booleans and
    numbers as ``!= 0``. When the two branches of ``if`` or the arguments of
    ``coalesce`` differ in type, they become text.

Nulls
    A blank answer is null: a text column's empty or white-space-only values are read as
    null, so ``number()``, comparisons, arithmetic, ``in`` and the text functions see a
    null, never ``""`` or 0. Null in, null out: arithmetic, comparisons, ``in`` and text
    functions give null for null input; ``and``/``or``/``not`` follow three-valued logic
    (``null and False`` is false, ``null or True`` is true, otherwise null); an ``if``
    whose condition is null gives null (neither branch: a row that did not answer is not
    counted as a "no"); ``concat`` skips nulls (null only if all parts are); ``coalesce``
    gives the first non-null and is the way to state a default, e.g.
    ``1 if coalesce(number(trip_minutes), 999) <= 30 else 0`` counts a blank trip time
    as over 30 minutes; ``is_empty`` is true for null and blank text and never null.
    Comparing with a blank literal (``x == ""``, ``"" in (...)``) is refused, since a
    blank answer is null: use ``is_empty(x)``.

Errors per row
    A row fails (output null, with a reason) when a value cannot be converted
    (``'abc' is not a number``), on division by zero, or when the result is a number
    that is not finite. Errors inside the branch of an ``if`` that is not taken, in the
    right operand of an ``and`` whose left is false, or of an ``or`` whose left is true,
    do not count. Evaluation never raises for bad data.
"""

from __future__ import annotations

import ast
import difflib
import re
import warnings
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc

from cdinterop.ingest._transforms.dates import _parse as _parse_dates
from cdinterop.ingest._transforms.numbers import parse_numbers
from cdinterop.ingest._transforms.result import (
    Transformed,
    array,
    first_reason,
    joined,
    null_where,
    quoted,
    reason_where,
    result,
)
from cdinterop.mapping._internal import as_text, scalar_text

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "Expression",
    "ExpressionError",
    "compile_expression",
]

MAX_LENGTH = 10_000
"""Longest expression accepted, in UTF-8 bytes."""
MAX_DEPTH = 50
"""Deepest nesting of brackets accepted."""
_MAX_TREE_DEPTH = 200
_MAX_NODES = 2_000

Kind = Literal["text", "number", "bool", "date", "null"]

_ARROW_TYPE: dict[str, pa.DataType] = {
    "text": pa.string(),
    "number": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "null": pa.null(),
}


class ExpressionError(ValueError):
    """An expression that is not valid, with where in its text the problem is."""

    def __init__(self, message: str, *, offset: int, text: str = "") -> None:
        self.message = message
        """What is wrong."""
        self.offset = offset
        """0-based character offset of the problem in the expression text."""
        self.text = text
        """The expression (may be long)."""
        super().__init__(f"{message} (at column {offset + 1})")


# --------------------------------------------------------------------------------------------
# Values and conversions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Value:
    values: pa.Array
    kind: Kind
    reasons: pa.Array | None = None


def _kind_of(column: pa.Array) -> tuple[pa.Array, Kind]:
    t = column.type
    if pa.types.is_dictionary(t):
        return _kind_of(column.cast(t.value_type))
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return _blank_to_null(column.cast(pa.string())), "text"
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        return column.cast(pa.float64()), "number"
    if pa.types.is_boolean(t):
        return column, "bool"
    if pa.types.is_date(t) or pa.types.is_timestamp(t):
        return column.cast(pa.date32()), "date"
    if pa.types.is_null(t):
        return column, "null"
    return _blank_to_null(array(as_text(column))), "text"


def _blank_to_null(text: pa.Array) -> pa.Array:
    """Text with its blank values (empty or white space only) null: a blank answer."""
    blank = pc.equal(pc.utf8_trim_whitespace(text), "")
    if not pc.any(blank).as_py():
        return text
    return pc.if_else(blank, pa.scalar(None, pa.string()), text)


def _nulls(n: int, kind: Kind) -> pa.Array:
    return pa.nulls(n, _ARROW_TYPE[kind])


def _with(value: _Value, values: pa.Array, kind: Kind, *reasons: pa.Array | None) -> _Value:
    return _Value(values, kind, first_reason(value.reasons, *reasons))


def _as_number(v: _Value) -> _Value:
    if v.kind == "number":
        return v
    if v.kind == "text":
        numbers, bad = parse_numbers(pc.utf8_trim_whitespace(v.values))
        blank = pc.equal(pc.utf8_trim_whitespace(v.values), "")
        bad = pc.and_(bad, pc.invert(blank))
        why = reason_where(bad, lambda: joined(quoted(v.values), " is not a number"))
        return _with(v, numbers, "number", why)
    if v.kind == "bool":
        return _Value(v.values.cast(pa.float64()), "number", v.reasons)
    if v.kind == "date":
        why = reason_where(pc.is_valid(v.values), "a date is not a number")
        return _with(v, _nulls(len(v.values), "number"), "number", why)
    return _Value(_nulls(len(v.values), "number"), "number", v.reasons)


def _as_text(v: _Value) -> _Value:
    if v.kind == "text":
        return v
    if v.kind == "null":
        return _Value(_nulls(len(v.values), "text"), "text", v.reasons)
    return _Value(array(as_text(v.values)), "text", v.reasons)


_TRUE = ("true", "1")
_FALSE = ("false", "0")


def _as_bool(v: _Value) -> _Value:
    if v.kind == "bool":
        return v
    if v.kind == "number":
        return _Value(pc.not_equal(v.values, 0.0), "bool", v.reasons)
    if v.kind == "text":
        folded = pc.utf8_lower(pc.utf8_trim_whitespace(v.values))
        true = pc.is_in(folded, value_set=pa.array(_TRUE))
        false = pc.is_in(folded, value_set=pa.array(_FALSE))
        known = pc.or_(true, false)
        values = pc.if_else(known, true, pa.scalar(None, pa.bool_()))
        blank = pc.fill_null(pc.equal(folded, ""), True)
        bad = pc.and_(pc.invert(blank), pc.invert(known))
        why = reason_where(bad, lambda: joined(quoted(v.values), " is not true or false"))
        return _with(v, values, "bool", why)
    if v.kind == "date":
        why = reason_where(pc.is_valid(v.values), "a date is not true or false")
        return _with(v, _nulls(len(v.values), "bool"), "bool", why)
    return _Value(_nulls(len(v.values), "bool"), "bool", v.reasons)


def _as_date(v: _Value) -> _Value:
    if v.kind == "date":
        return v
    if v.kind == "text":
        trimmed = pc.utf8_trim_whitespace(v.values)
        trimmed = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
        dates, bad = _parse_dates(trimmed, ("iso-date", "iso-datetime"))
        why = None
        if bad is not None:
            why = reason_where(pc.is_valid(bad), lambda: joined(quoted(v.values), " is not a date"))
        return _with(v, dates, "date", why)
    if v.kind == "null":
        return _Value(_nulls(len(v.values), "date"), "date", v.reasons)
    why = reason_where(pc.is_valid(v.values), f"a {v.kind} is not a date")
    return _with(v, _nulls(len(v.values), "date"), "date", why)


_CONVERT: dict[Kind, Callable[[_Value], _Value]] = {
    "number": _as_number,
    "text": _as_text,
    "bool": _as_bool,
    "date": _as_date,
}


def _convert(v: _Value, kind: Kind) -> _Value:
    if v.kind == kind:
        return v
    if kind == "null":
        return v
    return _CONVERT[kind](v)


def _common_kind(values: Sequence[_Value], *, prefer: Sequence[Kind] = ()) -> Kind:
    """The kind values are brought to before they are combined."""
    kinds = {v.kind for v in values} - {"null"}
    if not kinds:
        return "null"
    if len(kinds) == 1:
        return kinds.pop()
    for kind in prefer:
        if kind in kinds:
            return kind
    return "text"


# --------------------------------------------------------------------------------------------
# The compiled tree: each node is a function of the batch
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Batch:
    columns: dict[str, _Value]
    rows: int


_Node = Callable[[_Batch], _Value]


def _no_reason() -> pa.Scalar:
    """A null reason (made when needed: a ``pa.scalar`` built at import loads pandas)."""
    return pa.scalar(None, pa.string())


def _literal(value: str | float | bool | None) -> _Node:
    kind: Kind
    if value is None:
        kind = "null"
    elif isinstance(value, bool):
        kind = "bool"
    elif isinstance(value, str):
        kind = "text"
    else:
        kind = "number"
    scalar = pa.scalar(value, _ARROW_TYPE[kind])

    def run(batch: _Batch) -> _Value:
        return _Value(pa.repeat(scalar, batch.rows), kind)

    return run


def _column(name: str) -> _Node:
    def run(batch: _Batch) -> _Value:
        return batch.columns[name]

    return run


def _arithmetic(op: type[ast.operator], left: _Node, right: _Node) -> _Node:
    def run(batch: _Batch) -> _Value:
        a, b = _as_number(left(batch)), _as_number(right(batch))
        reasons = first_reason(a.reasons, b.reasons)
        x, y = a.values, b.values
        if op is ast.Add:
            return _Value(pc.add(x, y), "number", reasons)
        if op is ast.Sub:
            return _Value(pc.subtract(x, y), "number", reasons)
        if op is ast.Mult:
            return _Value(pc.multiply(x, y), "number", reasons)
        zero = pc.fill_null(pc.and_(pc.equal(y, 0.0), pc.is_valid(x)), False)
        reasons = first_reason(reasons, reason_where(zero, "division by zero"))
        quotient = pc.divide(x, y)
        if op is ast.FloorDiv:
            quotient = pc.floor(quotient)
        elif op is ast.Mod:
            quotient = pc.subtract(x, pc.multiply(y, pc.floor(quotient)))
        return _Value(null_where(quotient, zero), "number", reasons)

    return run


def _negate(operand: _Node, minus: bool) -> _Node:
    def run(batch: _Batch) -> _Value:
        v = _as_number(operand(batch))
        return _Value(pc.negate(v.values), "number", v.reasons) if minus else v

    return run


def _not(operand: _Node) -> _Node:
    def run(batch: _Batch) -> _Value:
        v = _as_bool(operand(batch))
        return _Value(pc.invert(v.values), "bool", v.reasons)

    return run


def _logic(is_and: bool, operands: Sequence[_Node]) -> _Node:
    def run(batch: _Batch) -> _Value:
        acc = _as_bool(operands[0](batch))
        values, reasons = acc.values, acc.reasons
        for operand in operands[1:]:
            v = _as_bool(operand(batch))
            # The right operand only matters (and only its errors count) where the left
            # side does not decide already.
            open_ = pc.fill_null(values, True) if is_and else pc.invert(pc.fill_null(values, False))
            if v.reasons is not None:
                reasons = first_reason(reasons, pc.if_else(open_, v.reasons, _no_reason()))
            values = pc.and_kleene(values, v.values) if is_and else pc.or_kleene(values, v.values)
        return _Value(values, "bool", reasons)

    return run


_COMPARE: dict[type[ast.cmpop], Callable[[pa.Array, pa.Array], pa.Array]] = {
    ast.Eq: pc.equal,
    ast.NotEq: pc.not_equal,
    ast.Lt: pc.less,
    ast.LtE: pc.less_equal,
    ast.Gt: pc.greater,
    ast.GtE: pc.greater_equal,
}


def _compare(ops: Sequence[type[ast.cmpop]], operands: Sequence[_Node]) -> _Node:
    def run(batch: _Batch) -> _Value:
        values = [operand(batch) for operand in operands]
        outcome: pa.Array | None = None
        reasons: pa.Array | None = None
        for op, a, b in zip(ops, values, values[1:], strict=False):
            kind = _common_kind([a, b], prefer=("number", "date"))
            reasons = first_reason(reasons, a.reasons, b.reasons)
            if kind == "null":
                pair = _Value(_nulls(batch.rows, "bool"), "bool")
            else:
                x, y = _convert(a, kind), _convert(b, kind)
                pair = _Value(_COMPARE[op](x.values, y.values), "bool")
                reasons = first_reason(reasons, x.reasons, y.reasons)
            outcome = pair.values if outcome is None else pc.and_kleene(outcome, pair.values)
        assert outcome is not None
        return _Value(outcome, "bool", reasons)

    return run


def _membership(operand: _Node, items: Sequence[str | float | bool], negate: bool) -> _Node:
    kinds = {
        "bool" if isinstance(i, bool) else "text" if isinstance(i, str) else "number" for i in items
    }
    kind: Kind = kinds.pop() if len(kinds) == 1 else "text"  # type: ignore[assignment]
    if kind == "text":
        value_set = pa.array([i if isinstance(i, str) else scalar_text(i) for i in items])
    else:
        value_set = pa.array(list(items), _ARROW_TYPE[kind])

    def run(batch: _Batch) -> _Value:
        v = _convert(operand(batch), kind)
        hit = pc.is_in(v.values, value_set=value_set)
        hit = pc.if_else(pc.is_valid(v.values), hit, pa.scalar(None, pa.bool_()))
        return _Value(pc.invert(hit) if negate else hit, "bool", v.reasons)

    return run


def _if(test: _Node, body: _Node, orelse: _Node) -> _Node:
    def run(batch: _Batch) -> _Value:
        cond = _as_bool(test(batch))
        # A null condition takes neither branch: the result is null, and neither
        # branch's errors count.
        chosen = pc.fill_null(cond.values, False)
        other = pc.fill_null(pc.invert(cond.values), False)
        yes, no = body(batch), orelse(batch)
        kind = _common_kind([yes, no])
        yes, no = _convert(yes, kind), _convert(no, kind)
        if kind == "null":
            values = _nulls(batch.rows, "null")
        else:
            values = pc.if_else(cond.values, yes.values, no.values)
        reasons = first_reason(
            cond.reasons,
            None if yes.reasons is None else pc.if_else(chosen, yes.reasons, _no_reason()),
            None if no.reasons is None else pc.if_else(other, no.reasons, _no_reason()),
        )
        return _Value(values, kind, reasons)

    return run


# --------------------------------------------------------------------------------------------
# Functions
# --------------------------------------------------------------------------------------------


def _text_function(fn: Callable[[pa.Array], pa.Array], kind: Kind = "text") -> Callable[..., _Node]:
    def make(x: _Node) -> _Node:
        def run(batch: _Batch) -> _Value:
            v = _as_text(x(batch))
            out = fn(v.values)
            return _Value(out.cast(_ARROW_TYPE[kind]), kind, v.reasons)

        return run

    return make


def _converter(convert: Callable[[_Value], _Value]) -> Callable[..., _Node]:
    def make(x: _Node) -> _Node:
        return lambda batch: convert(x(batch))

    return make


def _concat(*parts: _Node) -> _Node:
    def run(batch: _Batch) -> _Value:
        values = [_as_text(p(batch)) for p in parts]
        arrays = [v.values for v in values]
        joined_ = pc.binary_join_element_wise(*arrays, "", null_handling="skip")
        any_valid = pc.is_valid(arrays[0])
        for a in arrays[1:]:
            any_valid = pc.or_(any_valid, pc.is_valid(a))
        return _Value(
            null_where(joined_, pc.invert(any_valid)),
            "text",
            first_reason(*(v.reasons for v in values)),
        )

    return run


def _coalesce(*parts: _Node) -> _Node:
    def run(batch: _Batch) -> _Value:
        values = [p(batch) for p in parts]
        kind = _common_kind(values)
        if kind == "null":
            return _Value(_nulls(batch.rows, "null"), "null")
        converted = [_convert(v, kind) for v in values]
        return _Value(
            pc.coalesce(*(v.values for v in converted)),
            kind,
            first_reason(*(v.reasons for v in converted)),
        )

    return run


def _round(x: _Node, digits: int = 0) -> _Node:
    def run(batch: _Batch) -> _Value:
        v = _as_number(x(batch))
        rounded = pc.round(v.values, ndigits=digits, round_mode="half_to_even")
        return _Value(rounded, "number", v.reasons)

    return run


def _year(x: _Node) -> _Node:
    def run(batch: _Batch) -> _Value:
        v = _as_date(x(batch))
        return _Value(pc.year(v.values).cast(pa.float64()), "number", v.reasons)

    return run


def _is_empty(x: _Node) -> _Node:
    def run(batch: _Batch) -> _Value:
        v = x(batch)
        empty = pc.is_null(v.values)
        if v.kind == "text":
            blank = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(v.values), ""), False)
            empty = pc.or_(empty, blank)
        return _Value(empty, "bool", v.reasons)

    return run


def _contains(x: _Node, sub: str) -> _Node:
    return _text_function(lambda a: pc.match_substring(a, sub), "bool")(x)


def _split_count(x: _Node) -> _Node:
    return _text_function(lambda a: pc.count_substring_regex(a, r"\S+"), "number")(x)


def _has_choice(x: _Node, option: str) -> _Node:
    pattern = rf"(^|\s){re.escape(option)}(\s|$)"
    return _text_function(lambda a: pc.match_substring_regex(a, pattern), "bool")(x)


@dataclass(frozen=True)
class _Function:
    make: Callable[..., _Node]
    arity: tuple[int, int | None]
    literal: dict[int, type] = field(default_factory=dict)
    """Argument positions that must be literals, and their Python type."""


FUNCTIONS: dict[str, str] = {
    "number": "number(x): x as a number (blank is null; text not a number fails the row)",
    "text": "text(x): x as text",
    "lower": "lower(x): text in lower case",
    "upper": "upper(x): text in upper case",
    "strip": "strip(x): text without surrounding white space",
    "concat": "concat(a, b, ...): the texts joined (nulls skipped)",
    "coalesce": "coalesce(a, b, ...): the first value that is not null (states a default)",
    "length": "length(x): number of characters",
    "round": "round(x, n): x rounded to n decimals (half to even)",
    "year": "year(d): the year of a date",
    "date": "date(x): x as a date (YYYY-MM-DD or an ISO date-time)",
    "is_empty": "is_empty(x): whether x is null or blank",
    "contains": 'contains(x, "sub"): whether the text contains "sub"',
    "split_count": "split_count(x): number of space-separated tokens (select_multiple)",
    "has_choice": 'has_choice(x, "option"): whether the token "option" is in x',
    "col": 'col("name"): the column called "name" (for names that are not identifiers)',
}
"""The functions an expression may call, with their signatures and meanings."""

_FUNCTIONS: dict[str, _Function] = {
    "number": _Function(_converter(_as_number), (1, 1)),
    "text": _Function(_converter(_as_text), (1, 1)),
    "lower": _Function(_text_function(pc.utf8_lower), (1, 1)),
    "upper": _Function(_text_function(pc.utf8_upper), (1, 1)),
    "strip": _Function(_text_function(pc.utf8_trim_whitespace), (1, 1)),
    "concat": _Function(_concat, (1, None)),
    "coalesce": _Function(_coalesce, (1, None)),
    "length": _Function(_text_function(pc.utf8_length, "number"), (1, 1)),
    "round": _Function(_round, (1, 2), {1: int}),
    "year": _Function(_year, (1, 1)),
    "date": _Function(_converter(_as_date), (1, 1)),
    "is_empty": _Function(_is_empty, (1, 1)),
    "contains": _Function(_contains, (2, 2), {1: str}),
    "split_count": _Function(_split_count, (1, 1)),
    "has_choice": _Function(_has_choice, (2, 2), {1: str}),
}


# --------------------------------------------------------------------------------------------
# Parsing and checking
# --------------------------------------------------------------------------------------------

_FORBIDDEN: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access ('.') is not allowed",
    ast.Subscript: "subscripts ('[...]') are not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "generator expressions are not allowed",
    ast.NamedExpr: "assignment (':=') is not allowed",
    ast.Await: "await is not allowed",
    ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed",
    ast.JoinedStr: "f-strings are not allowed (use concat)",
    ast.Starred: "'*' unpacking is not allowed",
    ast.Dict: "dictionaries are not allowed",
    ast.Set: "sets are not allowed",
    ast.List: "lists are only allowed after 'in'",
    ast.Tuple: "tuples are only allowed after 'in'",
    ast.Slice: "slices are not allowed",
}

_OPERATORS: dict[type[ast.AST], str] = {
    ast.Pow: "'**'",
    ast.MatMult: "'@'",
    ast.LShift: "'<<'",
    ast.RShift: "'>>'",
    ast.BitAnd: "'&' (use 'and')",
    ast.BitOr: "'|' (use 'or')",
    ast.BitXor: "'^'",
    ast.Invert: "'~' (use 'not')",
    ast.Is: "'is' (use == or is_empty())",
    ast.IsNot: "'is not' (use != or is_empty())",
}


def _placeholder(length: int, used: set[str], text: str) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    n = len(used)
    while True:
        digits = ""
        k = n
        while True:
            digits += alphabet[k % len(alphabet)]
            k //= len(alphabet)
            if not k:
                break
        name = ("_q" + digits).ljust(length, "_") if length >= 3 else ""
        if len(name) != length:
            raise ExpressionError("too many quoted column names", offset=0, text=text)
        if name not in used and name not in text:
            return name
        n += 1


def _prepare(text: str) -> tuple[str, dict[str, str]]:
    """Replace backtick names by placeholders of the same length; check bracket depth.

    The result has as many characters as ``text``, so offsets carry over.
    """
    out: list[str] = []
    quoted_names: dict[str, str] = {}
    depth = 0
    i = 0
    while i < len(text):
        c = text[i]
        if c in "'\"":
            end = _string_end(text, i)
            out.append(text[i:end])
            i = end
        elif c == "`":
            end = _backtick_end(text, i)
            placeholder = _placeholder(end + 1 - i, set(quoted_names), text)
            quoted_names[placeholder] = text[i + 1 : end]
            out.append(placeholder)
            i = end + 1
        else:
            depth = _bracket_depth(c, depth, i, text)
            out.append(" " if c == "\r" else c)
            i += 1
    return "".join(out), quoted_names


def _string_end(text: str, i: int) -> int:
    """The offset just after the string literal that starts at ``i`` (or the text's end)."""
    quote = text[i] * 3 if text.startswith(text[i] * 3, i) else text[i]
    j = i + len(quote)
    while j < len(text) and not text.startswith(quote, j):
        j += 2 if text[j] == "\\" else 1
    return min(j + len(quote), len(text))


def _backtick_end(text: str, i: int) -> int:
    """The offset of the backtick that closes the column name opened at ``i``."""
    end = text.find("`", i + 1)
    if end < 0:
        raise ExpressionError("unclosed '`'", offset=i, text=text)
    if end == i + 1:
        raise ExpressionError("empty column name '``'", offset=i, text=text)
    return end


def _bracket_depth(c: str, depth: int, i: int, text: str) -> int:
    """The bracket depth after character ``c`` (at ``i``); too deep or unmatched raises."""
    if c in "([{":
        depth += 1
        if depth > MAX_DEPTH:
            raise ExpressionError(
                f"brackets nested more than {MAX_DEPTH} deep", offset=i, text=text
            )
    elif c in ")]}":
        depth -= 1
        if depth < 0:
            raise ExpressionError(f"unmatched '{c}'", offset=i, text=text)
    return depth


class _Compiler:
    def __init__(
        self, text: str, source: str, quoted_names: dict[str, str], columns: Collection[str]
    ) -> None:
        self.text = text
        self.quoted = quoted_names
        self.columns = list(columns)
        self.known = set(self.columns)
        self.used: dict[str, int] = {}
        self.nodes = 0
        self.lines = source.split("\n")
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line) + 1)

    def position(self, lineno: int, col: int, *, chars: bool = False) -> int:
        """Offset in the text of a (1-based line, 0-based byte or char column) of the source."""
        if not 0 < lineno <= len(self.lines):
            return 0
        line = self.lines[lineno - 1]
        if not chars:
            col = len(line.encode()[: max(col, 0)].decode(errors="ignore"))
        # The source is the text with "(" in front.
        return max(0, min(self.starts[lineno - 1] + col - 1, len(self.text)))

    def offset(self, node: ast.AST) -> int:
        return self.position(getattr(node, "lineno", 1), getattr(node, "col_offset", 0))

    def error(self, message: str, node: ast.AST) -> ExpressionError:
        return ExpressionError(message, offset=self.offset(node), text=self.text)

    def column(self, name: str, node: ast.AST) -> _Node:
        if name not in self.known:
            close = difflib.get_close_matches(name, self.columns, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise self.error(f"unknown column {name!r}{hint}", node)
        self.used.setdefault(name, self.offset(node))
        return _column(name)

    def compile(self, node: ast.AST, depth: int = 0) -> _Node:
        self.nodes += 1
        if depth > _MAX_TREE_DEPTH:
            raise self.error(f"expression nested more than {_MAX_TREE_DEPTH} deep", node)
        if self.nodes > _MAX_NODES:
            raise self.error(f"expression has more than {_MAX_NODES} parts", node)
        part = _PARTS.get(type(node))
        if part is None:
            message = _FORBIDDEN.get(type(node), f"{type(node).__name__} is not allowed")
            raise self.error(message, node)
        return part(self, node, depth + 1)

    def constant(self, node: ast.Constant, depth: int) -> _Node:
        """A literal number, text, boolean or ``None``."""
        return _literal(self.literal(node))

    def variable(self, node: ast.Name, depth: int) -> _Node:
        """A bare name: a column."""
        return self.name(node)

    def arithmetic(self, node: ast.BinOp, depth: int) -> _Node:
        """``+ - * / // %``; other binary operators are refused."""
        op = type(node.op)
        if op not in (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod):
            raise self.error(f"operator {_OPERATORS.get(op, op.__name__)} is not allowed", node)
        return _arithmetic(op, self.compile(node.left, depth), self.compile(node.right, depth))

    def unary(self, node: ast.UnaryOp, depth: int) -> _Node:
        """``not x``, ``-x`` and ``+x``; ``~x`` is refused."""
        if isinstance(node.op, ast.Not):
            return _not(self.compile(node.operand, depth))
        if isinstance(node.op, ast.USub | ast.UAdd):
            return _negate(self.compile(node.operand, depth), isinstance(node.op, ast.USub))
        raise self.error(f"operator {_OPERATORS[type(node.op)]} is not allowed", node)

    def logic(self, node: ast.BoolOp, depth: int) -> _Node:
        """``and`` and ``or``."""
        operands = [self.compile(v, depth) for v in node.values]
        return _logic(isinstance(node.op, ast.And), operands)

    def choice(self, node: ast.IfExp, depth: int) -> _Node:
        """``a if condition else b``."""
        return _if(
            self.compile(node.test, depth),
            self.compile(node.body, depth),
            self.compile(node.orelse, depth),
        )

    def literal(self, node: ast.Constant) -> str | float | bool | None:
        value = node.value
        if value is None or isinstance(value, bool | str):
            return value
        if isinstance(value, int | float) and not isinstance(value, complex):
            try:
                number = float(value)
            except OverflowError:
                raise self.error("number too large", node) from None
            if number != number or number in (float("inf"), float("-inf")):
                raise self.error("number too large", node)
            return number
        raise self.error(f"{type(value).__name__} literals are not allowed", node)

    def name(self, node: ast.Name) -> _Node:
        name = node.id
        if name in self.quoted:
            return self.column(self.quoted[name], node)
        if name.startswith("__"):
            raise self.error(f"names starting with '__' are not allowed: {name!r}", node)
        if name in FUNCTIONS and name not in self.known:
            raise self.error(f"{name!r} is a function: call it, as in {FUNCTIONS[name]}", node)
        return self.column(name, node)

    def comparison(self, node: ast.Compare, depth: int) -> _Node:
        ops = [type(op) for op in node.ops]
        if any(op in (ast.In, ast.NotIn) for op in ops):
            return self.membership(node, ops, depth)
        for op, comparator in zip(ops, node.comparators, strict=True):
            if op not in _COMPARE:
                raise self.error(
                    f"operator {_OPERATORS.get(op, op.__name__)} is not allowed", comparator
                )
        for operand in (node.left, *node.comparators):
            self.refuse_blank(operand)
        operands = [
            self.compile(node.left, depth),
            *(self.compile(c, depth) for c in node.comparators),
        ]
        return _compare(ops, operands)

    def refuse_blank(self, node: ast.expr) -> None:
        """Refuse a blank text literal compared with: a blank answer is null, so the
        comparison would never be true."""
        value = node.value if isinstance(node, ast.Constant) else None
        if isinstance(value, str) and not value.strip():
            raise self.error(
                "a blank answer is null, so comparing with a blank text is never true: "
                "use is_empty(x)",
                node,
            )

    def membership(self, node: ast.Compare, ops: list[type[ast.cmpop]], depth: int) -> _Node:
        """``x in (...)`` and ``x not in (...)``, alone, with a literal list."""
        if len(ops) != 1:
            raise self.error("combine 'in' with other comparisons using 'and'", node)
        listed = node.comparators[0]
        if not isinstance(listed, ast.Tuple | ast.List | ast.Set):
            raise self.error('\'in\' needs a literal list, as in x in ("a", "b")', listed)
        items = [self.listed_item(item) for item in listed.elts]
        if not items:
            raise self.error("the list after 'in' is empty", listed)
        return _membership(self.compile(node.left, depth), items, ops[0] is ast.NotIn)

    def listed_item(self, item: ast.expr) -> str | float | bool:
        """One item of the list after ``in``: a literal, not ``None``."""
        if not isinstance(item, ast.Constant):
            raise self.error("the list after 'in' may hold literals only", item)
        value = self.literal(item)
        if value is None:
            raise self.error("None cannot be listed after 'in' (use is_empty)", item)
        self.refuse_blank(item)
        return value

    def call(self, node: ast.Call, depth: int) -> _Node:
        name = self.callee(node)
        if name == "col":
            return self.col(node)
        function = self.function(name, node)
        args = [self.argument(name, function, i, arg, depth) for i, arg in enumerate(node.args)]
        return function.make(*args)

    def callee(self, node: ast.Call) -> str:
        """The name of the function called, by name, with plain positional arguments."""
        if not isinstance(node.func, ast.Name):
            raise self.error("only the listed functions can be called (e.g. lower(x))", node)
        name = node.func.id
        if name.startswith("__"):
            raise self.error(f"names starting with '__' are not allowed: {name!r}", node)
        if node.keywords:
            raise self.error(f"{name}() takes no keyword arguments", node.keywords[0])
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.error("'*' unpacking is not allowed", arg)
        return name

    def col(self, node: ast.Call) -> _Node:
        """``col("a/b")``: the column of any name."""
        arg = node.args[0] if len(node.args) == 1 else None
        if not isinstance(arg, ast.Constant) or not isinstance(arg.value, str):
            raise self.error('col() takes one literal column name, as in col("a/b")', node)
        return self.column(arg.value, arg)

    def function(self, name: str, node: ast.Call) -> _Function:
        """The listed function ``name``, called with a number of arguments it takes."""
        function = _FUNCTIONS.get(name)
        if function is None:
            close = difflib.get_close_matches(name, list(FUNCTIONS), n=1)
            hint = f" (did you mean {close[0]}()?)" if close else ""
            known = ", ".join(sorted(FUNCTIONS))
            raise self.error(
                f"unknown function {name}(){hint}; the functions are: {known}", node.func
            )
        low, high = function.arity
        count = len(node.args)
        if count < low or (high is not None and count > high):
            raise self.error(f"wrong number of arguments: {FUNCTIONS[name]}", node)
        return function

    def argument(self, name: str, function: _Function, i: int, arg: ast.expr, depth: int) -> object:
        """Argument ``i`` of a call: compiled, or the literal the function needs there."""
        wanted = function.literal.get(i)
        if wanted is None:
            return self.compile(arg, depth)
        return self.literal_argument(name, wanted, i, arg)

    def literal_argument(self, name: str, wanted: type, i: int, arg: ast.expr) -> object:
        """The literal argument ``i`` of a call, of the ``wanted`` type (a whole number
        0..15 or text; one token for ``has_choice``)."""
        value = arg.value if isinstance(arg, ast.Constant) else None
        if wanted is int and not _is_decimals(value):
            raise self.error(f"{name}(): argument {i + 1} must be a whole number 0..15", arg)
        if wanted is str and not isinstance(value, str):
            raise self.error(f"{name}(): argument {i + 1} must be literal text", arg)
        if name == "has_choice" and not _is_token(value):
            raise self.error("has_choice(): the option must be one token, without spaces", arg)
        return value


def _is_decimals(value: object) -> bool:
    """Whether a literal is a number of decimals: a whole number 0..15 (not a boolean)."""
    return type(value) is int and 0 <= value <= 15


def _is_token(value: object) -> bool:
    """Whether a literal is one token: not empty, without white space."""
    return bool(value) and not any(ch.isspace() for ch in str(value))


_PARTS: dict[type[ast.AST], Callable[[_Compiler, Any, int], _Node]] = {
    ast.Constant: _Compiler.constant,
    ast.Name: _Compiler.variable,
    ast.BinOp: _Compiler.arithmetic,
    ast.UnaryOp: _Compiler.unary,
    ast.BoolOp: _Compiler.logic,
    ast.Compare: _Compiler.comparison,
    ast.IfExp: _Compiler.choice,
    ast.Call: _Compiler.call,
}
"""The parts of the language, by syntax node, and the method that compiles each."""


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expression:
    """A compiled expression; `evaluate()` runs it over a table or record batch."""

    text: str
    """The expression as written."""
    columns: frozenset[str]
    """The columns it reads."""
    _root: _Node = field(repr=False, compare=False)
    _offsets: dict[str, int] = field(repr=False, compare=False)

    def evaluate(self, table: pa.Table | pa.RecordBatch) -> Transformed:
        """The expression's value on every row, with failed rows and reasons.

        Raises `ExpressionError` only if a column it reads is not in ``table``.
        """
        values: dict[str, _Value] = {}
        for name in self.columns:
            if name not in table.column_names:
                raise ExpressionError(
                    f"column {name!r} is not in the data",
                    offset=self._offsets[name],
                    text=self.text,
                )
            arrow, kind = _kind_of(array(table.column(name)))
            values[name] = _Value(arrow, kind)
        out = self._root(_Batch(values, table.num_rows))
        reasons = out.reasons
        if out.kind == "number":
            infinite = pc.invert(pc.fill_null(pc.is_finite(out.values), True))
            reasons = first_reason(reasons, reason_where(infinite, "not a finite number"))
        return result(out.values, reasons)


def compile_expression(text: str, *, columns: Collection[str]) -> Expression:
    """Compile ``text`` (see the module docs) for a source with these ``columns``.

    Raises `ExpressionError` for anything outside the language.
    """
    if not isinstance(text, str):
        raise TypeError("an expression is text")
    if len(text.encode()) > MAX_LENGTH:
        raise ExpressionError(
            f"expression longer than {MAX_LENGTH} bytes", offset=0, text=text[:200]
        )
    if not text.strip():
        raise ExpressionError("empty expression", offset=0, text=text)
    prepared, quoted_names = _prepare(text)
    # In brackets, so that leading white space and line breaks are fine; _prepare has
    # refused unbalanced brackets, so the text cannot close them early.
    source = f"({prepared}\n)"
    compiler = _Compiler(text, source, quoted_names, columns)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source, mode="eval")
    except SyntaxError as error:
        message = (error.msg or "invalid syntax").removeprefix("invalid syntax. ")
        offset = compiler.position(error.lineno or 1, (error.offset or 1) - 1, chars=True)
        raise ExpressionError(message, offset=offset, text=text) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("expression too complex", offset=0, text=text) from None
    try:
        root = compiler.compile(tree.body)
    except RecursionError:
        raise ExpressionError("expression too complex", offset=0, text=text) from None
    return Expression(text, frozenset(compiler.used), root, dict(compiler.used))

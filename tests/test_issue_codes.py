"""Every issue code is documented: the catalogue `cdinterop.issue_codes`, checked on the source
(every code an ``Issue(...)`` is made with, traced with ``ast``) and on the running checks
(every issue the public checks report on bad inputs, the hostile corpus included), and the
docs page ``docs/issue-codes.md`` generated from it.

``python tests/test_issue_codes.py`` rewrites ``docs/issue-codes.md``.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

import cdinterop
from cdinterop import CitizenDataset
from cdinterop.checking import check_file
from cdinterop.errors import CdinteropError, InvalidDatasetError, Issue, issues_from_pydantic
from cdinterop.issue_codes import (
    PYDANTIC_CODES,
    PYDANTIC_ERRORS_URL,
    CodeInfo,
    IssueCategory,
    IssueCode,
    catalogue,
    describe,
    is_documented,
    lookup,
)

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "cdinterop"
PAGE = ROOT / "docs" / "issue-codes.md"

# -- the catalogue --------------------------------------------------------------------------


def test_every_member_has_a_category_and_a_one_line_description() -> None:
    for member in IssueCode:
        assert isinstance(member.category, IssueCategory)
        assert member.description and "\n" not in member.description
        assert not member.description.endswith(".")
        assert member == member.value  # a StrEnum: compares equal to its code string
    assert {m.category for m in IssueCode} == set(IssueCategory) - {IssueCategory.FIELD}


def test_codes_are_lower_case_words_with_dashes() -> None:
    for member in IssueCode:
        assert member.name == member.value.upper().replace("-", "_")
        assert all(part.isalpha() and part.islower() for part in member.value.split("-"))


def test_pydantic_codes_come_from_pydantic_core() -> None:
    import typing

    from pydantic_core import core_schema

    types = set(typing.get_args(core_schema.ErrorType))
    assert {"missing", "string-too-short", "extra-forbidden"} <= PYDANTIC_CODES
    assert {t.replace("_", "-") for t in types} - PYDANTIC_CODES == {"value-error"}
    info = lookup("string-too-short")
    assert info.category is IssueCategory.FIELD
    assert info.url == f"{PYDANTIC_ERRORS_URL}#string_too_short"


def test_lookup_describe_and_is_documented() -> None:
    assert describe("unknown-code") == IssueCode.UNKNOWN_CODE.description
    assert lookup("duplicate-key") == CodeInfo(
        "duplicate-key",
        IssueCategory.OBSERVATION,
        "two rows have the same series key and period",
    )
    assert lookup("too-short").category is IssueCategory.OBSERVATION  # a member comes first
    assert is_documented("missing") and is_documented(IssueCode.XSD)
    assert not is_documented("no-such-code") and not is_documented("value-error")
    with pytest.raises(KeyError, match="no-such-code"):
        describe("no-such-code")
    assert IssueCode("shacl-info").advisory and not IssueCode("shacl-violation").advisory


def test_the_catalogue_lists_members_then_pydantic_codes() -> None:
    members = catalogue()
    assert [info.code for info in members] == [m.value for m in IssueCode]
    everything = catalogue(pydantic=True)
    assert len(everything) == len(set(IssueCode) | PYDANTIC_CODES)
    assert [info.code for info in everything[: len(members)]] == [m.value for m in IssueCode]


def test_advisory_codes_are_the_checkers_advisory_codes() -> None:
    from cdinterop.checking import ADVISORY_CODES

    issue_advisories = {m for m in IssueCode if m.advisory and m is not IssueCode.ROW_FILTER}
    assert issue_advisories == ADVISORY_CODES


# -- the source: every code an Issue is made with ----------------------------------------


CODE_ARGUMENTS = {"Issue": (1, "code"), "DropCount": (0, "reason"), "add": (None, "code")}
"""Calls with an issue code as an argument: (position or None for keyword only, keyword).
``add`` is the ingest run's ``_Rejects.add(..., code=...)``."""

FROM_PYDANTIC = {("errors.py", "issues_from_pydantic")}
"""Functions whose non-literal code is pydantic's error type (the `PYDANTIC_CODES` family)."""


class Untraced(Exception):
    """A code expression the tracer cannot follow to string literals."""


@dataclass
class _Module:
    path: Path
    tree: ast.Module
    parents: dict[ast.AST, ast.AST] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.relative_to(SRC).as_posix()

    def function_of(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                return node
        return None


def _modules() -> dict[str, _Module]:
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = _Module(path, tree)
        for parent in ast.walk(tree):
            for child in ast.iter_child_nodes(parent):
                module.parents[child] = parent
        dotted = "cdinterop." + ".".join(path.relative_to(SRC).with_suffix("").parts)
        found[dotted.removesuffix(".__init__")] = module
    return found


MODULES = _modules()


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _argument(call: ast.Call, position: int | None, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if position is None:
        return None
    return call.args[position] if len(call.args) > position else None


def _fits(call: ast.Call, function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether ``call`` can be a call of ``function`` (a method of another class with the
    same name, such as ``table.column(name)``, has too few arguments)."""
    parameters = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
    if parameters[:1] in (["self"], ["cls"]):
        parameters = parameters[1:]
    required = len(parameters) - len(function.args.defaults)
    named = {kw.arg for kw in call.keywords}
    given = len(call.args) + len(named & set(parameters[len(call.args) :]))
    too_many = len(call.args) > len(parameters) and function.args.vararg is None
    return given >= required and not too_many


class _Tracer:
    """Follows a code expression back to the string literals it can be."""

    def __init__(self) -> None:
        self.pass_through: list[str] = []
        self.from_pydantic: list[tuple[str, str]] = []

    def codes(self, expr: ast.expr, module: _Module, depth: int = 0) -> set[str]:
        if depth > 12:
            raise Untraced(f"{module.name}:{expr.lineno}: too deep")
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return {expr.value}
        if isinstance(expr, ast.IfExp):
            return self.codes(expr.body, module, depth + 1) | self.codes(
                expr.orelse, module, depth + 1
            )
        if isinstance(expr, ast.BoolOp) and isinstance(expr.op, ast.Or):
            found: set[str] = set()
            for i, value in enumerate(expr.values):
                codes = self.codes(value, module, depth + 1)
                found |= codes if i == len(expr.values) - 1 else codes - {""}
            return found
        if isinstance(expr, ast.Attribute) and expr.attr == "code":
            # an existing issue's code, passed on: checked where that issue was made
            self.pass_through.append(f"{module.name}:{expr.lineno}")
            return set()
        if (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Attribute)
            and expr.func.attr == "get"
            and isinstance(expr.func.value, ast.Name)
        ):
            table = self._module_value(expr.func.value.id, module)
            if isinstance(table, ast.Dict):
                found = set()
                for value in table.values:
                    found |= self.codes(value, module, depth + 1)
                if len(expr.args) > 1:
                    found |= self.codes(expr.args[1], module, depth + 1)
                return found
        if isinstance(expr, ast.Name):
            return self._name(expr, module, depth)
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name):
            returns = self._returns(expr.func.id, module, depth)
            if returns is not None:
                return returns
        function = module.function_of(expr)
        if function is not None and (module.name, function.name) in FROM_PYDANTIC:
            self.from_pydantic.append((module.name, function.name))
            return set()
        raise Untraced(f"{module.name}:{expr.lineno}: {ast.unparse(expr)}")

    def _returns(self, name: str, module: _Module, depth: int) -> set[str] | None:
        """The codes a function of the module returns (``None``: no such function)."""
        for node in module.tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                found: set[str] = set()
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Return) and inner.value is not None:
                        found |= self.codes(inner.value, module, depth + 1)
                return found
        return None

    def _module_value(self, name: str, module: _Module) -> ast.expr | None:
        for node in module.tree.body:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets
            ):
                return node.value
            if (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and node.target.id == name
            ):
                return node.value
            if isinstance(node, ast.ImportFrom) and node.module in MODULES:
                for alias in node.names:
                    if (alias.asname or alias.name) == name:
                        return self._module_value(alias.name, MODULES[node.module])
        return None

    def _name(self, expr: ast.Name, module: _Module, depth: int) -> set[str]:
        function = module.function_of(expr)
        if function is not None:
            local = self._local(expr, function, module, depth)
            if local is not None:
                return local
        value = self._module_value(expr.id, module)
        if value is not None:
            owner = self._owner_of(value) or module
            return self.codes(value, owner, depth + 1)
        if function is not None and (module.name, function.name) in FROM_PYDANTIC:
            self.from_pydantic.append((module.name, function.name))
            return set()
        raise Untraced(f"{module.name}:{expr.lineno}: name {expr.id}")

    def _owner_of(self, node: ast.AST) -> _Module | None:
        for module in MODULES.values():
            if node in module.parents:
                return module
        return None

    def _local(
        self,
        expr: ast.Name,
        function: ast.FunctionDef | ast.AsyncFunctionDef,
        module: _Module,
        depth: int,
    ) -> set[str] | None:
        """The codes of a name bound in ``function``: the last assignment before its use, a
        loop over a list of tuples, or a parameter (traced to the function's callers)."""
        before = [
            node
            for node in ast.walk(function)
            if isinstance(node, ast.Assign)
            and node.lineno < expr.lineno
            and any(isinstance(t, ast.Name) and t.id == expr.id for t in node.targets)
        ]
        if before:
            last = max(before, key=lambda node: node.lineno)
            return self.codes(last.value, module, depth + 1)
        for node in ast.walk(function):
            if isinstance(node, ast.For) and isinstance(node.target, ast.Tuple):
                names = [t.id if isinstance(t, ast.Name) else "" for t in node.target.elts]
                if expr.id in names and isinstance(node.iter, ast.Name):
                    return self._loop(node.iter.id, names.index(expr.id), function, module, depth)
        parameters = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
        keywords = [a.arg for a in function.args.kwonlyargs]
        if expr.id not in parameters and expr.id not in keywords:
            return None
        if (module.name, function.name) in FROM_PYDANTIC:
            return None
        position = parameters.index(expr.id) if expr.id in parameters else 10_000
        if parameters[:1] in (["self"], ["cls"]):
            position -= 1
        calls = [
            node
            for node in ast.walk(module.tree)
            if isinstance(node, ast.Call)
            and _called_name(node) == function.name
            and _fits(node, function)
        ]
        if not calls:
            raise Untraced(f"{module.name}:{expr.lineno}: {function.name}() is never called")
        found: set[str] = set()
        for call in calls:
            argument = _argument(call, position, expr.id)
            if argument is None:
                raise Untraced(f"{module.name}:{call.lineno}: no {expr.id} in the call")
            found |= self.codes(argument, module, depth + 1)
        return found

    def _loop(
        self,
        name: str,
        index: int,
        function: ast.FunctionDef | ast.AsyncFunctionDef,
        module: _Module,
        depth: int,
    ) -> set[str]:
        """The codes at ``index`` of the tuples a list ``name`` holds."""
        items = self._items(name, function, module)
        if not items:
            raise Untraced(f"{module.name}:{function.lineno}: nothing found in list {name}")
        found: set[str] = set()
        for item in items:
            if not isinstance(item, ast.Tuple):
                raise Untraced(f"{module.name}:{item.lineno}: not a tuple: {ast.unparse(item)}")
            found |= self.codes(item.elts[index], module, depth + 1)
        return found

    def _items(
        self, name: str, function: ast.FunctionDef | ast.AsyncFunctionDef, module: _Module
    ) -> list[ast.expr]:
        """What a list ``name`` of ``function`` holds: its literal items, what
        ``name.append`` adds, and what ``name.extend`` adds (a literal list, or the list a
        function of the module returns)."""
        items: list[ast.expr] = []
        for node in ast.walk(function):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("append", "extend")
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == name
                and node.args
            ):
                added = node.args[0]
                if node.func.attr == "append":
                    items.append(added)
                elif isinstance(added, ast.List | ast.Tuple):
                    items.extend(added.elts)
                elif isinstance(added, ast.Call) and isinstance(added.func, ast.Name):
                    items.extend(self._returned_items(added.func.id, module))
                else:
                    raise Untraced(f"{module.name}:{node.lineno}: {ast.unparse(node)}")
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id == name for t in targets) and isinstance(
                    node.value, ast.List
                ):
                    items.extend(node.value.elts)
        return items

    def _returned_items(self, name: str, module: _Module) -> list[ast.expr]:
        """The items of the lists a function of the module returns by name."""
        items: list[ast.expr] = []
        for node in module.tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Return) and isinstance(inner.value, ast.Name):
                        items.extend(self._items(inner.value.id, node, module))
        return items


def _code_sites() -> Iterator[tuple[_Module, ast.Call, ast.expr]]:
    for module in MODULES.values():
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Call) and _called_name(node) in CODE_ARGUMENTS:
                name = _called_name(node)
                assert name is not None
                if isinstance(module.parents.get(node), ast.ClassDef):
                    continue
                argument = _argument(node, *CODE_ARGUMENTS[name])
                if argument is not None:
                    yield module, node, argument


def test_every_code_in_the_source_is_documented() -> None:
    tracer = _Tracer()
    found: dict[str, set[str]] = {}
    untraced = []
    sites = 0
    for module, call, argument in _code_sites():
        sites += 1
        before = (len(tracer.pass_through), len(tracer.from_pydantic))
        try:
            codes = tracer.codes(argument, module)
        except Untraced as exc:
            untraced.append(str(exc))
            continue
        if not codes and (len(tracer.pass_through), len(tracer.from_pydantic)) == before:
            untraced.append(f"{module.name}:{call.lineno}: no code found")
        for code in codes:
            found.setdefault(code, set()).add(f"{module.name}:{call.lineno}")
    assert not untraced, f"codes the test cannot trace to string literals: {untraced}"
    unknown = {code: sorted(where) for code, where in found.items() if code not in set(IssueCode)}
    assert not unknown, f"codes that are not members of IssueCode: {unknown}"
    assert sites >= 60 and len(found) >= 45
    assert set(tracer.from_pydantic) == FROM_PYDANTIC  # no stale entry
    assert len(tracer.pass_through) >= 3  # issues whose message is extended, code kept
    # every member is made somewhere in the source (none is documented but unused)
    assert set(IssueCode) - set(found) == set(), "members no source makes"


def test_the_tracer_refuses_what_it_cannot_follow() -> None:
    tree = ast.parse("def f(x):\n    return Issue('here', make_code(x), 'what')\n")
    module = _Module(SRC / "example.py", tree)
    for parent in ast.walk(tree):
        for child in ast.iter_child_nodes(parent):
            module.parents[child] = parent
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call) and _called_name(n) == "Issue")
    argument = _argument(call, 1, "code")
    assert argument is not None
    with pytest.raises(Untraced, match="make_code"):
        _Tracer().codes(argument, module)


# -- the running checks: every issue they report has a documented code -------------------

EXAMPLES = ROOT / "examples"
MAPPINGS = ROOT / "mappings"
KEY = b"a-long-secret-key-for-the-tests"


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[Issue]:
    """Every `Issue` made while the test runs (also those a check folds into an error)."""
    found: list[Issue] = []
    original = Issue.__init__

    def record(self: Issue, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        found.append(self)

    monkeypatch.setattr(Issue, "__init__", record)
    return found


def _reported(call: Callable[[], object]) -> list[Issue]:
    """The issues a public check reports: returned (a list of issues, or a result or report
    holding them) or raised (``InvalidDatasetError`` and its kin, or pydantic's
    ``ValidationError`` turned into issues as cdinterop does). Other refusals report none."""
    try:
        result = call()
    except InvalidDatasetError as exc:
        return list(exc.issues)
    except ValidationError as exc:
        return issues_from_pydantic(exc)
    except CdinteropError:
        return []
    if isinstance(result, list | tuple):
        return [item for item in result if isinstance(item, Issue)]
    held = getattr(getattr(result, "report", result), "issues", ())
    return [item for item in held if isinstance(item, Issue)] if isinstance(held, tuple) else []


def _undocumented(issues: Iterable[Issue]) -> dict[str, str]:
    return {i.code: f"{i.location}: {i.message}" for i in issues if not is_documented(i.code)}


def _example_dataset() -> CitizenDataset:
    return cdinterop.load(EXAMPLES / "marine-litter-ghana" / "dataset.json")


def _model_checks(tmp_path: Path) -> Iterator[Callable[[], object]]:
    """Invalid data sets, built and read: pydantic's checks, the model's rules and every
    check of the observation table."""
    import json

    ds = _example_dataset()
    data = json.loads(cdinterop.dumps(ds))
    yield lambda: ds.replace(spatial_coverage=["GH; title: oops"])
    yield lambda: ds.replace(title={"en": ""}, licence="not a licence", issued="yesterday")
    broken = {**data, "surprise": 1, "version": 7}
    del broken["title"]
    yield lambda: cdinterop.loads(json.dumps(broken))
    rows = data["observations"]
    first = rows[0]
    bad = [
        {**first, "OBS_VALUE": "many"},  # wrong-type
        {**first, "REF_AREA": "XX", "TIME_PERIOD": "2021-13"},  # unknown-code, period
        {**first, "FREQ": "M"},  # frequency-mismatch (and a duplicate key)
        {**first, "LITTER_TYPE": None},  # missing-value
        {**first, "EXTRA": 1},  # unknown-column
        first,  # duplicate-key
        *rows[1:4],
    ]
    yield lambda: cdinterop.loads(json.dumps({**data, "observations": bad}))
    without = [{k: v for k, v in row.items() if k != "OBS_STATUS"} for row in rows[:3]]
    yield lambda: cdinterop.loads(json.dumps({**data, "observations": without}))
    facets = json.loads(json.dumps(data))
    for component in facets["structure"]["attributes"]:
        if component["id"] == "COMMENT":
            component["facets"] = {"max_length": 2, "min_length": 1, "pattern": "[a-z]+"}
    for component in facets["structure"]["measures"]:
        component["facets"] = {"min_value": 0, "max_value": 10}
    facets["observations"] = [
        {**first, "COMMENT": "ABC"},
        {**rows[1], "COMMENT": ""},
        {**rows[2], "OBS_VALUE": -1},
        *rows[3:6],
    ]
    yield lambda: cdinterop.loads(json.dumps(facets))
    path = tmp_path / "broken.json"
    path.write_text(json.dumps({**data, "observations": bad}), encoding="utf-8")
    yield lambda: cdinterop.check_json(path)
    formulas = tmp_path / "formulas.json"
    formulas.write_text(
        json.dumps({**data, "observations": [{**first, "COMMENT": "=1+1"}, *rows[1:3]]}),
        encoding="utf-8",
    )
    yield lambda: check_file(formulas)


def _format_checks(tmp_path: Path) -> Iterator[Callable[[], object]]:
    """The three formats written from a valid data set, then damaged, read and checked."""
    from cdinterop import datapackage, dcat, sdmx

    ds = _example_dataset()
    written = sdmx.write_all(ds, tmp_path / "sdmx")
    data = next(p for p in written if p.name.endswith(".xml") and p.name.startswith("data-"))
    structure = next(p for p in written if p.name.startswith("structure"))
    text = data.read_text(encoding="utf-8")
    damaged = tmp_path / "damaged.xml"
    damaged.write_text(text.replace('OBS_VALUE="3723"', 'OBS_VALUE="lots"'), encoding="utf-8")
    yield lambda: sdmx.read(damaged, structure=structure)
    yield lambda: check_file(damaged, structure=structure)
    other = tmp_path / "other.xml"
    other.write_text(text.replace("DSD_MARINE_LITTER", "DSD_OTHER"), encoding="utf-8")
    yield lambda: check_file(other, structure=structure)
    newer = tmp_path / "newer.xml"
    newer.write_text(
        text.replace(
            'id="DSD_MARINE_LITTER" version="1.0"', 'id="DSD_MARINE_LITTER" version="1.1"'
        ),
        encoding="utf-8",
    )
    yield lambda: check_file(newer, structure=structure)
    yield lambda: sdmx.read_structure(structure)
    package = datapackage.write(ds, tmp_path / "dp")
    csv = package / "observations.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace(",GH,", ",XX,"), encoding="utf-8")
    yield lambda: datapackage.read(package)
    yield lambda: datapackage.check_package(package)
    yield lambda: check_file(package)
    ttl = dcat.write(ds, tmp_path / "ds.ttl")
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(_SHAPES, encoding="utf-8")
    yield lambda: check_file(ttl, shapes=(shapes,))
    broken = tmp_path / "broken.ttl"
    broken.write_text(
        "\n".join(line for line in ttl.read_text(encoding="utf-8").splitlines()
                  if "structureJson" not in line),
        encoding="utf-8",
    )  # fmt: skip
    yield lambda: check_file(broken)
    yield lambda: dcat.read(broken)


_SHAPES = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix ex: <http://example.org/shapes#> .

ex:Violation a sh:NodeShape ; sh:targetClass dcat:Dataset ;
    sh:property [ sh:path ex:mandatory ; sh:minCount 1 ] .
ex:Warning a sh:NodeShape ; sh:targetClass dcat:Dataset ; sh:severity sh:Warning ;
    sh:property [ sh:path ex:advised ; sh:minCount 1 ; sh:severity sh:Warning ] .
ex:Info a sh:NodeShape ; sh:targetClass dcat:Dataset ;
    sh:property [ sh:path ex:nice ; sh:minCount 1 ; sh:severity sh:Info ] .
"""


def _pipeline_checks(tmp_path: Path) -> Iterator[Callable[[], object]]:
    """Mapping specs and rules, ingest, aggregation and conformance with bad inputs."""
    import pyarrow as pa

    from cdinterop.aggregate import AggregationSpec, aggregate
    from cdinterop.conformance import conform
    from cdinterop.ingest import IngestSpec, ingest
    from cdinterop.mapping import ConformanceSpec, RowFilter, ValueRule, apply_rules, load_spec

    spec_text = (MAPPINGS / "services-survey-kobo.yaml").read_text(encoding="utf-8")
    typo = tmp_path / "typo.yaml"
    typo.write_text(spec_text.replace("source:", "sorce:", 1), encoding="utf-8")
    yield lambda: load_spec(typo, IngestSpec)
    table = pa.table({"sex": ["F", "M", "X"], "age": ["1", "2", "3"]})
    rules = {
        "SEX": ValueRule.model_validate({"from": "sex", "map": {"F": "F", "M": "M"}}),
        "AGE": ValueRule.model_validate({"from": "years"}),
    }
    yield lambda: apply_rules(table, rules)
    kept = {"SEX": ValueRule.model_validate({"from": "sex", "map": {"F": "F"}, "unmapped": "drop"})}
    only_one = RowFilter.model_validate({"name": "no-X", "drop": {"sex": ["X"]}})
    dropped = apply_rules(table, kept, filters=[only_one]).dropped
    yield lambda: [Issue(f"dropped[{i}]", d.reason, str(d)) for i, d in enumerate(dropped)]
    result = ingest(
        EXAMPLES / "public-services-satisfaction" / "submissions-kobo.csv",
        MAPPINGS / "services-survey-kobo.yaml",
        key=KEY,
    )
    rejected = [*result.rejects.to_pylist(), *_plain_run(tmp_path).rejects.to_pylist()]
    yield lambda: [Issue(f"rejects[{i}]", r["code"], r["reason"]) for i, r in enumerate(rejected)]
    units = result.dataset
    spec = load_spec(MAPPINGS / "services-survey-kobo.yaml", IngestSpec).aggregation
    assert spec is not None
    bad = spec.model_dump(by_alias=True)
    bad["measure"] = {"type": "sum", "column": "no_such_column"}
    first = next(iter(bad["dimensions"]))
    bad["dimensions"][first] = {**bad["dimensions"][first], "from": "nowhere"}
    yield lambda: aggregate(units, AggregationSpec.model_validate(bad))
    yield lambda: aggregate(units.replace(observations=[]), spec)
    text_sum = spec.model_dump(by_alias=True)
    text_sum["measure"] = {"type": "sum", "column": "REF_AREA"}
    yield lambda: aggregate(units, AggregationSpec.model_validate(text_sum))
    target = units.structure
    mapping = ConformanceSpec.model_validate(
        {
            "id": "bad-map",
            "structure": {"agency": "ELSEWHERE", "id": "OTHER"},
            "components": {
                "COLOUR": {"value": "red"},
                "NOT_A_COLUMN": {"from": "nowhere"},
                "TIME_PERIOD": {"value": "someday"},
            },
        }
    )
    yield lambda: conform(units, target, mapping)


PLAIN_SUBMISSION = (
    "id,area,sex,date,score,note\n"
    "R1,Ghana,female,2024-01-10,5,fine\n"
    "R2,Mars,male,2024-02-10,6,x\n"
    "R3,Kenya,male,someday,7,x\n"
    "R4,Kenya,female,2024-03-10,abc,x\n"
    "R5,Ghana,female,2024-03-10,500,x\n"
    "R6,Ghana,female,2024-03-10,5,x,extra,more\n"
    '"R7,Ghana\n'
)
"""A small submission for the hostile corpus's plain spec: one good row, then one row per
kind of reject (an unmapped value, a bad date, an expression on a word, a score over the
maximum, a ragged row, a cut-off quote)."""


def _plain_run(tmp_path: Path) -> Any:
    from cdinterop.ingest import ingest

    spec = tmp_path / "plain.yaml"
    text = (CORPUS / "plain-spec.yaml").read_text(encoding="utf-8")
    spec.write_text(
        text.replace("SCORE: {from: score}", 'SCORE: {expression: "number(score) * 1"}'),
        encoding="utf-8",
    )
    submission = tmp_path / "plain.csv"
    submission.write_text(PLAIN_SUBMISSION, encoding="utf-8")
    return ingest(submission, spec)


def test_each_reject_has_a_stable_code(tmp_path: Path) -> None:
    import csv

    from cdinterop.ingest import write_outputs

    result = _plain_run(tmp_path)
    rejects = result.rejects.to_pylist()
    assert [(r["row"], r["column"], r["code"]) for r in rejects] == [
        (3, "area", "unmapped-value"),
        (4, "date", "period-rule"),
        (5, "score", "expression-rule"),
        (6, "SCORE", "above-maximum"),
        (7, "(record)", "read"),
        (8, "(record)", "read"),
    ]
    assert rejects[2]["reason"] == "SCORE: 'abc' is not a number"  # the message stays
    assert all(IssueCode(r["code"]) for r in rejects)
    assert result.rejects.column_names == ["row", "column", "value", "reason", "code"]
    write_outputs(result, tmp_path / "out", datapackage=False)
    with (tmp_path / "out" / "rejects.csv").open(encoding="utf-8", newline="") as handle:
        written = list(csv.DictReader(handle))
    assert list(written[0]) == ["row", "column", "value", "reason", "code"]
    assert [r["code"] for r in written] == [r["code"] for r in rejects]


def test_a_bad_area_is_located_at_its_position() -> None:
    ds = _example_dataset()
    issues = _reported(lambda: ds.replace(spatial_coverage=["GH; title: oops"]))
    assert [(i.location, i.code) for i in issues] == [("spatial_coverage[0]", "rule")]
    assert "'GH; title: oops'" in issues[0].message


def test_a_rule_locates_a_problem_at_a_list_position() -> None:
    from pydantic import BaseModel, field_validator

    from cdinterop.errors import Problem, RuleViolations

    class Areas(BaseModel):
        spatial_coverage: tuple[str, ...]

        @field_validator("spatial_coverage")
        @classmethod
        def _known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
            bad = [
                Problem(f"[{i}]", f"not an area code: {v!r}")
                for i, v in enumerate(value)
                if v != "GH"
            ]
            if bad:
                raise RuleViolations(bad)
            return value

    issues = _reported(lambda: Areas(spatial_coverage=["GH", "GH; title: oops"]))
    assert [(i.location, i.code, i.message) for i in issues] == [
        ("spatial_coverage[1]", "rule", "not an area code: 'GH; title: oops'")
    ]


def test_every_issue_a_check_reports_has_a_documented_code(
    tmp_path: Path, made: list[Issue]
) -> None:
    reported: list[Issue] = []
    for checks in (_model_checks, _format_checks, _pipeline_checks):
        folder = tmp_path / checks.__name__.strip("_")
        folder.mkdir()
        for call in checks(folder):
            reported += _reported(call)
    assert not _undocumented(reported), "reported with an undocumented code"
    assert not _undocumented(made), "made with an undocumented code"
    seen = {i.code for i in [*reported, *made]}
    assert len(seen) >= 35, sorted(seen)
    assert {"missing", "extra-forbidden", "rule", "shacl-warning", "xsd", "row-filter"} <= seen


CORPUS = ROOT / "tests" / "hostile" / "corpus"
CORPUS_READERS = {"validate", "sdmx read", "datapackage read", "dcat read"}
CORPUS_WRITERS = {"sdmx write", "datapackage write", "dcat write"}
"""Commands of the hostile corpus whose cases are read here with the public API (a writer's
case reads its data set: ``cdinterop.load``)."""
CORPUS_ISSUES = (
    "dataset/obs-value-1e400",
    "dataset/unknown-key",
    "dataset/id-path-traversal-dp",
    "sdmx-ml/ml30-ss-bitflip-2",
    "sdmx-ml/obs-value-nan-text",
    "sdmx-ml/duplicate-obs",
    "sdmx-structure/bitflip-3",
    "sdmx-csv/csv20-wrong-header",
    "sdmx-csv/csv10-bitflip-0",
    "sdmx-csv/csv20-formula-value",
    "datapackage/zip-duplicate-member",
    "datapackage/folder-descriptor-bitflip-1",
    "datapackage/hash-number",
    "datapackage/hash-unknown-algorithm",
    "datapackage/bytes-negative",
    "datapackage/bytes-wrong",
    "datapackage/schema-duplicate-field",
    "datapackage/dialect-header-false",
)
"""Cases that report issues as data (an invalid file rather than an unreadable one), always
read; the other light cases are read one in ``CORPUS_STRIDE`` (all with ``CDINTEROP_SLOW=1``)."""
CORPUS_STRIDE = 12
_HEAVY = ("100k", "1m-", "20mb", "huge", "bomb", "laughs", "fifo", "dev-", "proc", "stdin")


def _corpus() -> Any:
    """The hostile corpus package (``tests/hostile/corpus``), imported under its own name."""
    name = "cdinterop_issue_codes_corpus"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, CORPUS / "__init__.py", submodule_search_locations=[str(CORPUS)]
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _command(argv: tuple[str, ...]) -> str:
    return argv[0] if argv[0] == "validate" else " ".join(argv[:2])


def _corpus_cases() -> list[Any]:
    """The reader cases of the corpus read here: light ones, files inside the case folder."""
    chosen = []
    light = 0
    slow = os.environ.get("CDINTEROP_SLOW") == "1"
    for case in _corpus().all_cases():
        command = _command(case.argv)
        if command not in CORPUS_READERS | CORPUS_WRITERS or case.env or "--limit" in case.argv:
            continue
        if case.id not in CORPUS_ISSUES:
            if any(word in case.id for word in _HEAVY) or case.timeout > 60:
                continue
            light += 1
            if not slow and light % CORPUS_STRIDE:
                continue
        chosen.append(case)
    return chosen


def _option(argv: list[str], *names: str) -> str | None:
    for name in names:
        if name in argv:
            return argv[argv.index(name) + 1]
    return None


def _read_case(argv: list[str]) -> Callable[[], object]:
    """The public API call that the command line makes for a reader case."""
    from cdinterop import datapackage, dcat, sdmx

    if argv[0] == "validate":
        shapes = (argv[argv.index("--shapes") + 1],) if "--shapes" in argv else ()
        structure = _option(argv, "-s", "--structure")
        return lambda: check_file(argv[1], structure=structure, shapes=shapes)
    if argv[1] == "write":
        return lambda: cdinterop.load(argv[2])
    if argv[0] == "sdmx":
        return lambda: sdmx.read(argv[2], structure=_option(argv, "-s", "--structure"))
    if argv[0] == "datapackage":
        return lambda: datapackage.read(argv[2])
    return lambda: dcat.read(argv[2])


def test_the_hostile_corpus_reports_documented_codes(tmp_path: Path, made: list[Issue]) -> None:
    corpus = _corpus()
    cases = _corpus_cases()
    assert set(CORPUS_ISSUES) <= {case.id for case in cases}, "a case was renamed"
    seeds = corpus.build(tmp_path / "seeds")
    outside = tmp_path / "outside"
    outside.mkdir()
    reported: list[Issue] = []
    for case in cases:
        work = tmp_path / case.id.replace("/", "_")
        work.mkdir()
        if case.setup is not None:
            case.setup(work, seeds)
        reported += _reported(_read_case(case.command(work, outside, seeds)))
    assert not _undocumented(reported), "reported with an undocumented code"
    assert not _undocumented(made), "made with an undocumented code"
    seen = {i.code for i in reported}
    assert {"hash-mismatch", "bytes-invalid", "schema-mismatch", "extra-forbidden"} <= seen


# -- the docs page --------------------------------------------------------------------------


def render_page() -> str:
    """The text of ``docs/issue-codes.md``, generated from the catalogue."""
    lines = [
        "# Issue codes",
        "",
        "<!-- generated from cdinterop.issue_codes by `python tests/test_issue_codes.py`; "
        "do not edit -->",
        "",
        "Every [`Issue`](reference/errors.md) cdinterop reports, and every line of an ingest",
        "run's `rejects.csv`, has a stable `code`. The codes cdinterop makes are the members of",
        '`cdinterop.issue_codes.IssueCode` (a `StrEnum`: `issue.code == "unknown-code"` and',
        "`issue.code == IssueCode.UNKNOWN_CODE` are the same test); `describe(code)` gives the",
        "description below, `lookup(code)` the category too, `catalogue()` the whole list.",
        "**Advisory** codes are reported but do not make a file invalid.",
        "",
        "A field that fails one of pydantic's own checks is reported with pydantic's error",
        "type, dashes for underscores (`missing`, `string-too-short`, `extra-forbidden`, …):",
        "the codes of `PYDANTIC_CODES`, read from the installed `pydantic_core` (so they",
        "follow its version) and documented in",
        f"[pydantic's list of validation errors]({PYDANTIC_ERRORS_URL}). A rule of the model",
        "across fields is reported as `rule`.",
        "",
        "```python",
        "from cdinterop.issue_codes import IssueCode, catalogue, describe, lookup",
        "",
        f'assert describe("duplicate-key") == {json.dumps(describe("duplicate-key"))}',
        'assert IssueCode("unknown-code").category == "observation"',
        'assert lookup("string-too-short").category == "field"  # one of pydantic\'s codes',
        f"assert len(catalogue()) == {len(IssueCode)}",
        "```",
        "",
    ]
    for category in IssueCategory:
        members = [m for m in IssueCode if m.category is category]
        if not members:
            continue
        lines += [f"## {category.value.capitalize()}", "", category.description, ""]
        lines += ["| Code | Description | Advisory |", "| --- | --- | --- |"]
        for m in members:
            lines.append(f"| `{m.value}` | {m.description} | {'yes' if m.advisory else ''} |")
        lines.append("")
    lines += ["## The catalogue in Python", "", "::: cdinterop.issue_codes", ""]
    return "\n".join(lines)


def test_the_docs_page_is_generated_from_the_catalogue() -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert text == render_page(), "stale: run python tests/test_issue_codes.py"
    listed = {line.split("`")[1] for line in text.splitlines() if line.startswith("| `")}
    assert listed == {m.value for m in IssueCode}


def test_the_docs_page_is_in_the_navigation() -> None:
    assert "issue-codes.md" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")


if __name__ == "__main__":
    PAGE.write_text(render_page(), encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)} ({len(IssueCode)} codes)", file=sys.stderr)

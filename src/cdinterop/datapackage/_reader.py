"""Reading a Data Package into a [`CitizenDataset`][cdinterop.model.CitizenDataset], or into the
list
of everything wrong with it.

One pipeline serves [`read()`][cdinterop.datapackage.read] (raise on the first unreadable
thing, then [`InvalidDatasetError`][cdinterop.errors.InvalidDatasetError] with every problem) and
[`check_package()`][cdinterop.datapackage.check_package] (collect everything as issues):

1. the descriptor (JSON, or YAML for ``datapackage.yaml``) must be an object with a
   non-empty ``resources`` list;
2. packages written by cdinterop (``cdinterop:format-version``) take their structure and
   metadata from the ``cdinterop:*`` properties; any other package gets them inferred
   (`cdinterop.datapackage._thirdparty`);
3. the observation resource (the one named; else ``observations``; else the only
   tabular resource: with several tables and no name given, a
   [`ReadError`][cdinterop.errors.ReadError] lists them with their row counts) is read as
   text columns: CSV or TSV (a file inside the package, never a URL)
   or inline ``data``; its ``bytes`` and ``hash`` are verified when declared (a ``hash``
   that is not a string, or ``bytes`` that is not a size, is an issue); in a package
   cdinterop wrote, the other resources' files (the codelists) must be there too, with
   their declared ``bytes`` and ``hash``;
4. the observations are conformed and checked by the model in bulk.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from functools import cache
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc
from pydantic import ValidationError

from cdinterop import limits
from cdinterop.datapackage import _extension as extension
from cdinterop.datapackage._descriptor import OBSERVATIONS_RESOURCE
from cdinterop.datapackage._resources import (
    CsvLayout,
    csv_columns,
    read_csv_text,
    table_from_inline,
    value_text,
)
from cdinterop.datapackage._storage import PackageSource, read_document, safe_path
from cdinterop.datapackage._thirdparty import (
    DEFAULT_AGENCY,
    DEFAULT_LANGUAGE,
    dataset_id,
    infer_structure,
    metadata_fields,
    prepare_columns,
)
from cdinterop.errors import InvalidDatasetError, Issue, ReadError, issues_from_pydantic
from cdinterop.limits import LimitExceeded
from cdinterop.model import AttachmentLevel, CitizenDataset, DataStructure, Observations
from cdinterop.model._internal import AGENCY_ID_PATTERN, TOO_DEEP, check_language_tag

__all__ = ["Options", "build", "dedupe", "parse_descriptor", "resource_issues"]

_WHERE = re.compile(r"^(descriptor|resources)[\w.\[\]:$-]*$")


@dataclass(frozen=True)
class Options:
    """How to read a package."""

    resource: str | None = None
    """Name of the resource holding the observations (default: ``observations``, else
    the only tabular resource; several tables need a name)."""
    language: str = DEFAULT_LANGUAGE
    """Language of the texts of a plain package."""
    agency: str = DEFAULT_AGENCY
    """Agency of the data set and structure read from a plain package."""

    def __post_init__(self) -> None:
        check_language_tag(self.language)
        if not re.match(AGENCY_ID_PATTERN, self.agency):
            raise ValueError(f"{self.agency!r} is not an SDMX agency id")


@cache
def _text_loader() -> type[Any]:
    """A YAML ``SafeLoader`` that reads what JSON would hold as text as text: a date stays
    the string ``2023-03-30`` (JSON has no dates), and a ``version`` stays its exact text
    however it is written (``version: 1.10`` is ``"1.10"``, not the number 1.1)."""
    import yaml

    class TextLoader(yaml.SafeLoader):
        pass

    TextLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if (
                key == "version"
                and isinstance(value_node, yaml.ScalarNode)
                and value_node.tag != "tag:yaml.org,2002:null"
            ):
                value_node = yaml.ScalarNode("tag:yaml.org,2002:str", value_node.value)
            out[key] = loader.construct_object(value_node, deep=True)
        return out

    TextLoader.add_constructor("tag:yaml.org,2002:map", mapping)
    return TextLoader


def _reject_constant(text: str) -> Any:
    raise ValueError(f"{text} is not a JSON number")


def parse_descriptor(data: bytes, name: str, label: str) -> Any:
    """Parse descriptor bytes: JSON (UTF-8, BOM allowed), or YAML for ``.yaml``/``.yml``."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReadError(label, f"{name} is not UTF-8 text ({exc.reason})") from None
    if name.endswith((".yaml", ".yml")):
        import yaml

        try:
            limits.check_yaml_nesting(text, label, _text_loader())
            return yaml.load(text, Loader=_text_loader())  # a SafeLoader
        except yaml.YAMLError as exc:
            raise ReadError(label, f"{name} is not valid YAML ({exc})") from None
        except RecursionError:
            raise ReadError(label, f"{name}: {TOO_DEEP}") from None
    limits.check_json_nesting(text, label)
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise ReadError(
            label, f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from None
    except ValueError as exc:
        raise ReadError(label, f"{name} is not valid JSON: {exc}") from None
    except RecursionError:
        raise ReadError(label, f"{name}: {TOO_DEEP}") from None


def dedupe(issues: list[Issue]) -> list[Issue]:
    """Issues without repeats of the same (location, code), in their first order."""
    seen: set[tuple[str, str]] = set()
    out = []
    for issue in issues:
        key = (issue.location, issue.code)
        if key not in seen:
            seen.add(key)
            out.append(issue)
    return out


def _issue_of(error: ReadError) -> Issue:
    where, _, message = error.reason.partition(": ")
    if message and _WHERE.match(where):
        return Issue(where, "read-error", message)
    return Issue("descriptor", "read-error", error.reason)


@dataclass
class _Run:
    """One reading of a package: where issues go and whether to stop at a read error."""

    source: PackageSource
    collect: bool
    issues: list[Issue] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.source.label

    def error(self, where: str, message: str) -> ReadError:
        return ReadError(self.label, f"{where}: {message}")


def _is_tabular(resource: dict[str, Any]) -> bool:
    """A table: typed so (v2 ``type``, v1 ``profile``) or described by a Table Schema."""
    return (
        resource.get("type") == "table"
        or resource.get("profile") == "tabular-data-resource"
        or "schema" in resource
    )


def _resources(descriptor: Any, label: str) -> list[Any]:
    if not isinstance(descriptor, dict):
        raise ReadError(label, f"a descriptor is a JSON object, not {type(descriptor).__name__}")
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        raise ReadError(label, "descriptor.resources: a package needs a non-empty resources list")
    return resources


_COUNT_LIMIT = 64 * 1024 * 1024
"""Largest file whose rows are counted for the message listing a package's tables."""


def _inline_row_count(resource: dict[str, Any]) -> int | None:
    """Rows of inline ``data`` (a header array left out); ``None`` for a file resource."""
    data = resource.get("data")
    if isinstance(data, list) and "path" not in resource:
        return len(data) - (1 if data and isinstance(data[0], list) else 0)
    return None


def _small_file(source: PackageSource, path: str) -> bytes | None:
    """The bytes of a local file of at most `_COUNT_LIMIT` bytes, else ``None``."""
    try:
        relative = safe_path(path, where="path", source=source.label)
        with source.open(relative, where="path") as handle:
            raw = handle.read(_COUNT_LIMIT + 1)
    except (ReadError, OSError):
        return None
    return None if len(raw) > _COUNT_LIMIT else raw


def _count_delimiter(resource: dict[str, Any], path: str) -> str:
    """The dialect's one-character delimiter, else a tab for ``.tsv``, else a comma."""
    dialect = resource.get("dialect")
    delimiter = dialect.get("delimiter") if isinstance(dialect, dict) else None
    if isinstance(delimiter, str) and len(delimiter) == 1:
        return delimiter
    return "\t" if path.lower().endswith(".tsv") else ","


def _loose_text(raw: bytes, resource: dict[str, Any]) -> str:
    """The bytes decoded with the declared encoding (UTF-8 when unknown), never failing."""
    encoding = resource.get("encoding") if isinstance(resource.get("encoding"), str) else None
    try:
        return raw.decode(encoding or "utf-8-sig", errors="replace")
    except (LookupError, UnicodeError, ValueError):  # unknown, or a codec that refuses
        return raw.decode("utf-8", errors="replace")  # "replace" (idna) or the bytes


def _row_count(source: PackageSource, resource: dict[str, Any]) -> int | None:
    """Rows of a table resource, where that is cheap: inline data, or one local CSV file
    of at most `_COUNT_LIMIT` bytes (records counted with its delimiter, header left out);
    ``None`` otherwise."""
    inline = _inline_row_count(resource)
    if inline is not None:
        return inline
    path = resource.get("path")
    if not isinstance(path, str) or resource.get("compression"):
        return None
    raw = _small_file(source, path)
    if raw is None:
        return None
    text = _loose_text(raw, resource)
    delimiter = _count_delimiter(resource, path)
    try:
        records = sum(1 for row in csv.reader(io.StringIO(text), delimiter=delimiter) if row)
    except csv.Error:
        return None
    return max(records - 1, 0)


def _choices(source: PackageSource, resources: list[Any], tabular: list[int]) -> str:
    """The table resources, named with their row counts where cheap."""
    shown = []
    for i in tabular:
        name = resources[i].get("name")
        rows = _row_count(source, resources[i])
        label = repr(name) if isinstance(name, str) else f"resources[{i}] (no name)"
        count = f"{rows:,} row{'' if rows == 1 else 's'}"
        shown.append(label if rows is None else f"{label} ({count})")
    return ", ".join(shown)


def _pick_named(
    resources: list[Any],
    name: str,
    named: dict[Any, int],
    tabular: list[int],
    source: PackageSource,
) -> int:
    """The index of the table resource called ``name``; a missing one is an error that
    lists the tables, a resource that is no table an error too."""
    if name not in named:
        tables = f"; its tables are {_choices(source, resources, tabular)}" if tabular else ""
        raise ReadError(source.label, f"descriptor.resources: no resource named {name!r}{tables}")
    if not _is_tabular(resources[named[name]]):
        raise ReadError(source.label, f"resources[{named[name]}]: {name!r} is not a table resource")
    return named[name]


def _pick_table(
    resources: list[Any], named: dict[Any, int], tabular: list[int], source: PackageSource
) -> int:
    """The index of the only table, or of the table named ``observations``; none, or
    several and no choice, is an error (listing them)."""
    if not tabular:
        raise ReadError(
            source.label,
            "descriptor.resources: no tabular resource (one of type 'table' or with a "
            "Table Schema) to read observations from",
        )
    if OBSERVATIONS_RESOURCE in named and named[OBSERVATIONS_RESOURCE] in tabular:
        return named[OBSERVATIONS_RESOURCE]
    if len(tabular) > 1:
        raise ReadError(
            source.label,
            f"descriptor.resources: the package has {len(tabular)} tables, "
            f"{_choices(source, resources, tabular)}; say which one holds the observations "
            "(resource= in Python, --resource NAME on the command line)",
        )
    return tabular[0]


def _pick(resources: list[Any], wanted: str | None, ours: bool, source: PackageSource) -> int:
    """The index of the resource holding the observations: the one named ``wanted``; in
    a package cdinterop wrote, ``observations``; otherwise the only table, or the table
    named ``observations``. Several tables and no choice is an error that lists them."""
    named = {r.get("name"): i for i, r in enumerate(resources) if isinstance(r, dict)}
    tabular = [i for i, r in enumerate(resources) if isinstance(r, dict) and _is_tabular(r)]
    if wanted is not None or ours:
        name = OBSERVATIONS_RESOURCE if wanted is None else wanted
        return _pick_named(resources, name, named, tabular, source)
    return _pick_table(resources, named, tabular, source)


def _load_json_file(run: _Run, path: Any, where: str) -> Any:
    relative = safe_path(path, where=where, source=run.label)
    with run.source.open(relative, where=where) as handle:
        data = read_document(handle, run.label, relative)
    return parse_descriptor(data, relative, run.label)


def _schema(run: _Run, resource: dict[str, Any], where: str) -> dict[str, Any]:
    schema = resource.get("schema")
    if isinstance(schema, str):
        schema = _load_json_file(run, schema, f"{where}.schema")
    if not isinstance(schema, dict):
        raise run.error(f"{where}.schema", "a table resource needs a Table Schema (an object)")
    return schema


def _dialect(run: _Run, resource: dict[str, Any], where: str) -> dict[str, Any]:
    """The resource's Table Dialect (inline or in a file); refused when not an object or
    when it uses what cdinterop does not read."""
    dialect = resource.get("dialect", {})
    if isinstance(dialect, str):
        dialect = _load_json_file(run, dialect, f"{where}.dialect")
    if not isinstance(dialect, dict):
        raise run.error(f"{where}.dialect", "a dialect is an object")
    for unsupported in ("commentChar", "commentRows", "headerJoin"):
        if unsupported in dialect:
            raise run.error(f"{where}.dialect", f"{unsupported} is not supported by cdinterop")
    return dialect


def _is_tsv(resource: dict[str, Any]) -> bool:
    """Whether a resource is TSV by its ``format`` or the extension of its ``path``."""
    return str(resource.get("format", "")).lower() == "tsv" or str(
        resource.get("path", "")
    ).lower().endswith(".tsv")


def _delimiter(run: _Run, dialect: dict[str, Any], tsv: bool, here: str) -> str:
    """The dialect's delimiter (one character), by default a tab for TSV, else a comma."""
    delimiter = dialect.get("delimiter", "\t" if tsv else ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise run.error(here, f"delimiter {delimiter!r} must be one character")
    return delimiter


def _header_rows(run: _Run, dialect: dict[str, Any], here: str) -> list[int]:
    """The dialect's ``headerRows``: at most one row."""
    rows = dialect.get("headerRows", [1])
    if not (isinstance(rows, list) and len(rows) <= 1 and all(isinstance(r, int) for r in rows)):
        raise run.error(here, f"headerRows {rows!r}: only one header row is supported")
    return rows


def _one_char(value: Any) -> str | None:
    """``value`` when it is one character, else ``None``."""
    return value if isinstance(value, str) and len(value) == 1 else None


def _layout(run: _Run, resource: dict[str, Any], where: str) -> CsvLayout:
    dialect = _dialect(run, resource, where)
    here = f"{where}.dialect"
    delimiter = _delimiter(run, dialect, _is_tsv(resource), here)
    quote = dialect.get("quoteChar", '"')
    escape = dialect.get("escapeChar")
    rows = _header_rows(run, dialect, here)
    skip = (rows[0] - 1) if rows else 0
    return CsvLayout(
        delimiter=delimiter,
        quote_char=_one_char(quote),
        double_quote=dialect.get("doubleQuote", True) is not False,
        escape_char=_one_char(escape),
        header=dialect.get("header", True) is not False and bool(rows),
        skip_rows=max(skip, 0),
        skip_initial_space=dialect.get("skipInitialSpace") is True,
    )


def _fixed_size_hash(algorithm: str) -> bool:
    """Whether ``algorithm`` is a hash this Python computes with a fixed digest size
    (``shake_128`` and ``shake_256`` need a length, and a FIPS build may refuse ``md5``)."""
    if algorithm not in hashlib.algorithms_available:
        return False
    try:
        return hashlib.new(algorithm).digest_size > 0
    except (ValueError, TypeError):
        return False


def _declared_hash(run: _Run, resource: dict[str, Any], where: str) -> str | None:
    """The declared ``hash``; one that is not a string is an issue (and ``None``)."""
    declared = resource.get("hash")
    if "hash" in resource and not isinstance(declared, str):
        run.issues.append(
            Issue(
                f"{where}.hash",
                "hash-invalid",
                "a hash is a string ('sha256:<hex digest>', or an md5 hex digest), "
                f"not {_json_type(declared)}",
                declared if isinstance(declared, int | float) else None,
            )
        )
        return None
    return declared


def _declared_size(run: _Run, resource: dict[str, Any], where: str) -> int | None:
    """The declared ``bytes``; one that is not a size is an issue (and ``None``)."""
    size = resource.get("bytes")
    if "bytes" in resource and not (
        isinstance(size, int) and not isinstance(size, bool) and size >= 0
    ):
        run.issues.append(
            Issue(
                f"{where}.bytes",
                "bytes-invalid",
                f"bytes is the file's size, a whole number of at least 0, not {size!r:.60}",
                size if isinstance(size, int | float | str) else None,
            )
        )
        return None
    return size


def _hash_algorithm(run: _Run, declared: str | None, where: str) -> tuple[str, str | None]:
    """(algorithm, expected digest) of a declared hash (``md5`` without a prefix); an
    unknown algorithm is an issue, and the file's md5 is then computed but not compared."""
    if not declared:
        return "md5", None
    algorithm, _, expected = declared.rpartition(":")
    algorithm = (algorithm or "md5").lower()
    if not _fixed_size_hash(algorithm):
        run.issues.append(
            Issue(
                f"{where}.hash",
                "hash-unknown",
                f"unknown hash algorithm {algorithm!r} (md5, sha1, sha256, sha512 and "
                "the other fixed-size hashes are checked)",
            )
        )
        return "md5", None
    return algorithm, expected


def _check_hash(run: _Run, resource: dict[str, Any], path: str, where: str) -> None:
    """Compare a file with its declared ``hash`` and ``bytes`` (each an issue when wrong)."""
    declared = _declared_hash(run, resource, where)
    size = _declared_size(run, resource, where)
    if declared is None and size is None:
        return
    algorithm, expected = _hash_algorithm(run, declared, where)
    digest, actual_size = run.source.digest(path, where=f"{where}.path", algorithm=algorithm)
    if expected is not None and digest != expected.lower():
        run.issues.append(
            Issue(
                f"{where}.hash",
                "hash-mismatch",
                f"the file's {algorithm} is {digest}, not the declared {expected}: the file "
                "changed after the descriptor was written",
                declared,
            )
        )
    if size is not None and size != actual_size:
        run.issues.append(
            Issue(
                f"{where}.bytes",
                "bytes-mismatch",
                f"the file has {actual_size} bytes, not the declared {size}",
                size,
            )
        )


def _json_type(value: Any) -> str:
    """How JSON calls the type of ``value``: ``a number``, ``an array``..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def _check_file(run: _Run, resource: dict[str, Any], where: str) -> None:
    """Check that the file(s) of a resource are safe and present, and their declared
    ``bytes`` and ``hash`` (a single file only). Raises
    [`ReadError`][cdinterop.errors.ReadError] for an unsafe or missing path."""
    paths = resource["path"] if isinstance(resource["path"], list) else [resource["path"]]
    for path in paths:
        relative = safe_path(path, where=f"{where}.path", source=run.label)
        if len(paths) == 1:
            _check_hash(run, resource, relative, where)
        with run.source.open(relative, where=f"{where}.path"):
            pass


def _companion_files(run: _Run, resources: list[Any], index: int) -> None:
    """In a package cdinterop wrote, the files of the resources besides the observations
    (the codelists): present, safe, and as large and with the hash the descriptor says.
    A missing one is a [`ReadError`][cdinterop.errors.ReadError] when not collecting."""
    for i, resource in enumerate(resources):
        if i == index or not isinstance(resource, dict) or "path" not in resource:
            continue
        try:
            _check_file(run, resource, f"resources[{i}]")
        except LimitExceeded:
            raise
        except ReadError as exc:
            if not run.collect:
                raise
            run.issues.append(_issue_of(exc))


def _read_table(
    run: _Run,
    resource: dict[str, Any],
    where: str,
    field_names: list[str],
    ours: bool,
) -> tuple[list[str], pa.Table]:
    if "data" in resource and "path" not in resource:
        return table_from_inline(resource["data"], field_names, run.label, where)
    path = resource.get("path")
    if isinstance(path, list):
        raise run.error(f"{where}.path", "multi-part resources are not supported")
    relative = safe_path(path, where=f"{where}.path", source=run.label)
    fmt = str(resource.get("format") or relative.rsplit(".", 1)[-1]).lower()
    if fmt not in ("csv", "tsv", "txt") or resource.get("compression"):
        raise run.error(
            f"{where}.format", f"{fmt!r} resources are not supported (CSV, TSV or inline data)"
        )
    encoding = resource.get("encoding", "utf-8")
    if not isinstance(encoding, str):
        raise run.error(f"{where}.encoding", f"{encoding!r} is not an encoding name")
    _check_hash(run, resource, relative, where)

    def opener() -> IO[bytes]:
        return run.source.open(relative, where=f"{where}.path")

    return read_csv_text(
        opener,
        field_names=field_names,
        layout=_layout(run, resource, where),
        encoding=encoding,
        quoted_empty_is_text=ours,
        label=run.label,
        where=f"{where}.path",
    )


def _field_names(schema: dict[str, Any]) -> list[str]:
    fields = schema.get("fields")
    if not isinstance(fields, list):
        return []
    return [f["name"] for f in fields if isinstance(f, dict) and isinstance(f.get("name"), str)]


def _column_issues(run: _Run, header: list[str], expected: list[str], where: str) -> None:
    for name in expected:
        if name not in header:
            run.issues.append(
                Issue(
                    f"observations.{name}",
                    "missing-column",
                    f"the Table Schema has field {name!r} but the data has no such column",
                    component=name,
                )
            )
    for name in header:
        if name not in expected:
            run.issues.append(
                Issue(
                    f"observations.{name}",
                    "unknown-column",
                    f"column {name!r} is not a field of the Table Schema ({where}.schema)",
                    component=name,
                )
            )


# -- packages written by cdinterop -----------------------------------------------------


def _native(descriptor: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if "version" in descriptor:
        fields["version"] = descriptor["version"]
    licenses = descriptor.get("licenses")
    if isinstance(licenses, list) and licenses:
        first = licenses[0]
        fields["licence"] = first.get("name") if isinstance(first, dict) else first
    else:
        fields["licence"] = None
    fields["landing_page"] = descriptor.get("homepage")
    return fields


def _dataset_level_constraints(
    structure: DataStructure, schema: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """The field constraints of each data-set-level attribute the schema has a field for."""
    fields = {
        f["name"]: f
        for f in schema.get("fields", [])
        if isinstance(f, dict) and isinstance(f.get("name"), str)
    }
    out: dict[str, dict[str, Any]] = {}
    for attr in structure.attributes:
        if attr.attachment is AttachmentLevel.DATASET and attr.id in fields:
            constraints = fields[attr.id].get("constraints")
            out[attr.id] = constraints if isinstance(constraints, dict) else {}
    return out


def _constant_column_issues(run: _Run, table: pa.Table, attr_id: str, expected: str | None) -> None:
    """An issue for each row of a data-set attribute's column that does not hold its
    value (``expected``), or, without one, that holds any value."""
    if attr_id not in table.column_names:
        return
    column = table.column(attr_id)
    if expected is None:
        bad = pc.is_valid(column)
        message = f"data-set attribute {attr_id} has no value, yet the column holds one"
    else:
        bad = pc.invert(pc.fill_null(pc.equal(column, expected), False))
        message = f"data-set attribute {attr_id} is {expected!r}: every row must repeat it"
    rows = pc.indices_nonzero(pc.fill_null(bad, False)).to_pylist()
    shown = pc.take(column, pa.array(rows, pa.int64())).to_pylist() if rows else []
    for row, value in zip(rows, shown, strict=True):
        run.issues.append(
            Issue(
                f"observations[{row}].{attr_id}",
                "inconsistent-dataset-attribute",
                message,
                value,
                row,
                attr_id,
            )
        )


def _dataset_attributes(
    run: _Run,
    structure: DataStructure,
    schema: dict[str, Any],
    table: pa.Table,
    where: str,
) -> dict[str, Any]:
    """Values of data-set-level attributes (``required`` + one-value ``enum``), checked
    against their constant columns."""
    values: dict[str, Any] = {}
    for attr_id, c in _dataset_level_constraints(structure, schema).items():
        if c.get("required") is not True:
            _constant_column_issues(run, table, attr_id, None)
            continue
        enum = c.get("enum")
        if not (isinstance(enum, list) and len(enum) == 1):
            run.issues.append(
                Issue(
                    f"{where}.schema.fields.{attr_id}.constraints.enum",
                    "dataset-attribute",
                    f"data-set attribute {attr_id} is required but its enum does not hold "
                    "exactly one value",
                )
            )
            continue
        values[attr_id] = enum[0]
        if isinstance(enum[0], str | int | float | bool):
            _constant_column_issues(run, table, attr_id, value_text(enum[0]))
    return values


def _ours(
    run: _Run, descriptor: dict[str, Any]
) -> tuple[dict[str, Any] | None, DataStructure | None]:
    """Fields (without observations) and structure of a package written by cdinterop."""
    version = descriptor.get(extension.FORMAT_VERSION_KEY)
    if version != extension.FORMAT_VERSION:
        raise ReadError(
            run.label,
            f"descriptor.{extension.FORMAT_VERSION_KEY}: layout version {version!r}; this "
            f"cdinterop reads {extension.FORMAT_VERSION!r}",
        )
    for key in extension.unknown_keys(descriptor):
        run.issues.append(
            Issue(f"descriptor.{key}", "unknown-property", f"unknown cdinterop property {key}")
        )
    props = {k: v for k, v in descriptor.items() if k in extension.EXTENSION_KEYS}
    try:
        parsed = extension.EXTENSION_MODEL.model_validate(props)
    except ValidationError as exc:
        run.issues.extend(issues_from_pydantic(exc, prefix="descriptor"))
        try:
            return None, DataStructure.model_validate(descriptor.get(extension.STRUCTURE_KEY))
        except ValidationError:
            return None, None
    fields: dict[str, Any] = dict(parsed.metadata)  # type: ignore[attr-defined]
    fields.update(_native(descriptor))
    for name in extension.PARTS:
        part = getattr(parsed, name)
        if part is not None:
            fields[name] = part
    structure: DataStructure = parsed.structure  # type: ignore[attr-defined]
    return fields, structure


# -- the pipeline ----------------------------------------------------------------------


def build(
    descriptor: Any,
    source: PackageSource,
    options: Options,
    *,
    collect: bool,
    descriptor_bytes: bytes | None = None,
) -> tuple[CitizenDataset | None, list[Issue]]:
    """Read the data set a descriptor describes.

    With ``collect=False`` a [`ReadError`][cdinterop.errors.ReadError] stops the reading and every
    other problem is raised at the end in one
    [`InvalidDatasetError`][cdinterop.errors.InvalidDatasetError]; with ``collect=True`` everything
    is returned as issues (the data set is ``None`` when there were any).
    """
    run = _Run(source, collect)
    try:
        dataset = _build(run, descriptor, options, descriptor_bytes)
    except ReadError as exc:
        if not collect or isinstance(exc, LimitExceeded):
            raise
        run.issues.append(_issue_of(exc))
        dataset = None
    issues = dedupe(run.issues)
    if issues and not collect:
        raise InvalidDatasetError(issues, context=source.label)
    return (None if issues else dataset), issues


@dataclass(frozen=True)
class _Table:
    """The observation resource chosen, with its location and Table Schema."""

    resources: list[Any]
    """Every resource of the package."""
    index: int
    """The position of the observation resource."""
    schema: dict[str, Any]
    """Its Table Schema."""

    @property
    def resource(self) -> dict[str, Any]:
        """The observation resource."""
        resource: dict[str, Any] = self.resources[self.index]
        return resource

    @property
    def where(self) -> str:
        """Its location in the descriptor."""
        return f"resources[{self.index}]"


def _build(
    run: _Run, descriptor: Any, options: Options, descriptor_bytes: bytes | None
) -> CitizenDataset | None:
    resources = _resources(descriptor, run.label)
    ours = extension.FORMAT_VERSION_KEY in descriptor
    index = _pick(resources, options.resource, ours, run.source)
    chosen = _Table(resources, index, _schema(run, resources[index], f"resources[{index}]"))
    if ours:
        return _build_ours(run, descriptor, chosen)
    return _build_inferred(run, descriptor, chosen, options, descriptor_bytes)


def _schema_mismatch(run: _Run, chosen: _Table, expected: list[str]) -> None:
    """An issue when the Table Schema's fields are not the structure's columns."""
    if _field_names(chosen.schema) != expected:
        run.issues.append(
            Issue(
                f"{chosen.where}.schema.fields",
                "schema-mismatch",
                f"the fields {_field_names(chosen.schema)} are not the columns of "
                f"{extension.STRUCTURE_KEY} {expected}",
            )
        )


def _build_ours(run: _Run, descriptor: dict[str, Any], chosen: _Table) -> CitizenDataset | None:
    """A package cdinterop wrote: structure and metadata from the ``cdinterop:*``
    properties, the companion files checked, data-set attributes from the schema."""
    fields, structure = _ours(run, descriptor)
    if structure is None:
        return None
    expected = list(csv_columns(structure))
    _schema_mismatch(run, chosen, expected)
    _companion_files(run, chosen.resources, chosen.index)
    header, table = _read_table(run, chosen.resource, chosen.where, expected, True)
    _column_issues(run, header, expected, chosen.where)
    values = _dataset_attributes(run, structure, chosen.schema, table, chosen.where)
    keep = [c for c in structure.column_ids if c in table.column_names]
    observations = Observations(table.select(keep))
    if fields is not None:
        fields["attribute_values"] = values
    return _dataset(run, fields, structure, observations)


def _build_inferred(
    run: _Run,
    descriptor: dict[str, Any],
    chosen: _Table,
    options: Options,
    descriptor_bytes: bytes | None,
) -> CitizenDataset | None:
    """Any other package: structure inferred from the Table Schema, metadata from the
    descriptor, columns prepared by the Table Schema's rules."""
    resource = chosen.resource
    inference = infer_structure(
        chosen.schema,
        structure_id=dataset_id(descriptor, resource),
        agency=options.agency,
        language=options.language,
        label=run.label,
        where=f"{chosen.where}.schema",
    )
    expected = [p.name for p in inference.plans]
    header, table = _read_table(run, resource, chosen.where, expected, False)
    _column_issues(run, header, expected, chosen.where)
    prepared, _, _ = prepare_columns(table, inference, chosen.schema)
    observations = Observations(prepared)
    try:
        fields = metadata_fields(
            descriptor,
            resource,
            dataset=dataset_id(descriptor, resource),
            agency=options.agency,
            language=options.language,
            inference=inference,
            descriptor_bytes=descriptor_bytes,
            descriptor_name=run.source.descriptor_name if descriptor_bytes else None,
            rows=table.num_rows,
        )
    except ValidationError as exc:
        run.issues.extend(issues_from_pydantic(exc, prefix="descriptor"))
        fields = None
    return _dataset(run, fields, inference.structure, observations)


def _dataset(
    run: _Run,
    fields: dict[str, Any] | None,
    structure: DataStructure,
    observations: Observations,
) -> CitizenDataset | None:
    if fields is None:
        run.issues.extend(observations.check(structure))
        return None
    try:
        return CitizenDataset.model_validate(
            {**fields, "structure": structure, "observations": observations}
        )
    except InvalidDatasetError as exc:
        run.issues.extend(exc.issues)
    except ValidationError as exc:
        found = issues_from_pydantic(exc)
        run.issues.extend(found)
        if not any(i.location.startswith("structure") for i in found):
            run.issues.extend(observations.check(structure))
    return None


def resource_issues(descriptor: Any, source: PackageSource) -> list[Issue]:
    """Problems of the file resources: unsafe or missing paths, wrong ``bytes``/``hash``."""
    run = _Run(source, collect=True)
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    for index, resource in enumerate(resources if isinstance(resources, list) else []):
        if not isinstance(resource, dict) or "path" not in resource:
            continue
        try:
            _check_file(run, resource, f"resources[{index}]")
        except LimitExceeded:
            raise
        except ReadError as exc:
            run.issues.append(_issue_of(exc))
    return run.issues

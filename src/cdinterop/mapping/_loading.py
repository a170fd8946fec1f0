"""Loading mapping specs from YAML, with located errors.

YAML is parsed with a safe loader (no Python objects, no tags beyond the standard
scalars) that also:

* rejects duplicate keys (plain YAML silently keeps the last one);
* reads only ``true``/``false`` as booleans, as YAML 1.2 does, so that codes such as
  ``NO`` (Norway), ``Y`` or ``off`` stay text.

Bad YAML raises [`ReadError`][cdinterop.errors.ReadError] with the line and column; a spec
that breaks the model's rules raises [`InvalidDatasetError`][cdinterop.errors.InvalidDatasetError]
whose issues carry the YAML path (``components.SERIES.unmapped``) and, in the message,
the line and column in the file.
"""

from __future__ import annotations

import difflib
import re
import types
from pathlib import Path
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from cdinterop import limits
from cdinterop.errors import InvalidDatasetError, Issue, ReadError, issues_from_pydantic
from cdinterop.mapping._spec import ConformanceSpec
from cdinterop.model._internal import TOO_DEEP

__all__ = ["SpecLoader", "load_conformance_spec", "load_spec", "loads_spec", "parse_yaml"]

SpecModel = TypeVar("SpecModel", bound=BaseModel)

_BOOL_TAG = "tag:yaml.org,2002:bool"


class SpecLoader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 booleans and duplicate keys rejected."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        """Build a mapping, refusing a key that appears twice."""
        seen: dict[Any, yaml.Mark] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # merged keys may be overridden on purpose
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key: the base constructor reports it
                continue
            if first is not None:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"found duplicate key {key!r} (first at line {first.line + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


def _construct_int(loader: SpecLoader, node: yaml.ScalarNode) -> int:
    """An integer, or a located error for one longer than Python converts
    (``sys.get_int_max_str_digits()``) instead of a ``ValueError``."""
    try:
        value: int = loader.construct_yaml_int(node)
    except ValueError:
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"an integer of {len(str(node.value)):,} characters is too long to read",
            node.start_mark,
        ) from None
    return value


SpecLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)

SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
SpecLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        context = f" ({exc.context})" if exc.context else ""
        return f"not valid YAML: {exc.problem}{context}{where}"
    return f"not valid YAML: {exc}"


def _text(data: str | bytes, source: str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReadError(source, f"not UTF-8 text ({exc.reason})") from None


def parse_yaml(data: str | bytes, *, source: str = "<string>") -> dict[str, Any]:
    """Parse a YAML document that must be a mapping, with `SpecLoader`.

    Raises [`ReadError`][cdinterop.errors.ReadError] naming the line and column of bad YAML.
    """
    limits.exceeded(source, "bytes", len(data), "a document larger than the limit")
    text = _text(data, source)
    try:
        limits.check_yaml_nesting(text, source, SpecLoader)
        document = yaml.load(text, Loader=SpecLoader)  # SpecLoader is a SafeLoader
    except yaml.YAMLError as exc:
        raise ReadError(source, _yaml_problem(exc)) from None
    except RecursionError:
        raise ReadError(source, TOO_DEEP) from None
    if document is None:
        raise ReadError(source, "the document is empty")
    if not isinstance(document, dict):
        raise ReadError(
            source, f"expected a mapping (key: value) at the top, found {type(document).__name__}"
        )
    return document


_PATH_PART = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def _node_at(root: yaml.Node, location: str, *, key: bool = False) -> yaml.Node:
    """The deepest node of the composed YAML tree along a dotted issue location; with
    ``key``, the key node of the location's last part when its value starts on a later
    line (a block), so that an unknown key is reported on its own line."""
    node = root
    parts = _PATH_PART.findall(location)
    for number, (index, name) in enumerate(parts, start=1):
        child: yaml.Node | None = None
        if index and isinstance(node, yaml.SequenceNode) and int(index) < len(node.value):
            child = node.value[int(index)]
        elif name and isinstance(node, yaml.MappingNode):
            keys = [k for k, _ in node.value if getattr(k, "value", None) == name]
            values = [v for k, v in node.value if getattr(k, "value", None) == name]
            block = bool(values) and values[0].start_mark.line > keys[0].start_mark.line
            if key and number == len(parts) and block:
                child = keys[0]
            else:  # without a value, the key names the field itself: point at the key
                child = next(iter(values or keys), None)
        if child is None:
            break
        node = child
    return node


def _unwrapped(annotation: Any) -> list[Any]:
    """The types an annotation allows: the members of a union, without ``Annotated``."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _unwrapped(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return [t for arg in get_args(annotation) for t in _unwrapped(arg)]
    return [annotation]


def _field_names(model: type[BaseModel]) -> dict[str, Any]:
    """The keys a model accepts (each field's alias and, with ``populate_by_name``, its
    name) with their annotations."""
    names: dict[str, Any] = {}
    by_name = bool(model.model_config.get("populate_by_name"))
    for name, info in model.model_fields.items():
        if info.alias:
            names[info.alias] = info.annotation
        if not info.alias or by_name:
            names[name] = info.annotation
    return names


def _known_keys(model: type[BaseModel], location: str) -> list[str]:
    """The keys the spec model accepts in the mapping that holds the last part of a dotted
    issue location (``deduplicate`` ... at the top, ``from`` ... in ``components.X``)."""
    current: list[Any] = [model]
    for index, name in _PATH_PART.findall(location)[:-1]:
        following: list[Any] = []
        for annotation in current:
            for kind in _unwrapped(annotation):
                origin = get_origin(kind)
                args = get_args(kind)
                if isinstance(kind, type) and issubclass(kind, BaseModel):
                    if name and name in _field_names(kind):
                        following.append(_field_names(kind)[name])
                elif origin is dict and len(args) == 2 and name:
                    following.append(args[1])
                elif origin in (list, tuple) and args and index:
                    following.append(args[0])
        current = following
    keys: list[str] = []
    for annotation in current:
        for kind in _unwrapped(annotation):
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                keys.extend(_field_names(kind))
    return keys


def _did_you_mean(location: str, model: type[BaseModel]) -> str:
    """`` (did you mean 'x'?)`` for the known key closest to the unknown key that ends a
    dotted issue location, or ``""``."""
    unknown = location.rsplit(".", 1)[-1]
    close = difflib.get_close_matches(unknown, _known_keys(model, location), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _located(issues: list[Issue], texts: _Texts, model: type[BaseModel]) -> list[Issue]:
    """The issues with the line and column of their YAML node in the message (and the file,
    when the section comes from a spec this one extends); an unknown key
    (``extra-forbidden``) whose value is a block is placed at the key, and gets the closest
    known key as a hint."""
    located = []
    roots: dict[str, yaml.Node | None] = {}  # each text composed once, however many issues
    for issue in issues:
        section = _PATH_PART.findall(issue.location)[:1]
        text, origin = texts.of(section[0][1] if section else "")
        if text not in roots:
            try:
                roots[text] = yaml.compose(text, Loader=SpecLoader)
            except yaml.YAMLError:  # pragma: no cover - the text has been parsed already
                roots[text] = None
        root = roots[text]
        if root is None:  # pragma: no cover - an empty document is refused earlier
            located.append(issue)
            continue
        unknown_key = issue.code == "extra-forbidden"
        mark = _node_at(root, issue.location, key=unknown_key).start_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}"
        where += f" of {origin}" if origin else ""
        hint = _did_you_mean(issue.location, model) if unknown_key else ""
        located.append(
            Issue(
                issue.location,
                issue.code,
                f"{issue.message}{hint} ({where})",
                issue.value,
                issue.row,
                issue.component,
            )
        )
    return located


class _Texts:
    """The YAML text each top-level section of a spec was read from: the spec's own, or
    that of the spec it extends (``extends:``), followed to the spec that sets it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.sections: dict[str, tuple[str, str]] = {}

    def of(self, section: str) -> tuple[str, str]:
        """The text a section comes from and, when that is an extended spec, its name."""
        return self.sections.get(section, (self.text, ""))


_MAX_EXTENDS = 8


def _extended(
    document: dict[str, Any], texts: _Texts, folder: Path | None, source: str, depth: int = 0
) -> dict[str, Any]:
    """``document`` merged onto the spec it ``extends`` (followed recursively: at most 8
    specs deep, no cycles): what it does not set is taken, a section it sets as a mapping
    updates the extended spec's section key by key, anything else replaces it."""
    parent_name = document.get("extends")
    if parent_name is None:
        return document
    if not isinstance(parent_name, str) or not parent_name:
        raise ReadError(source, "'extends' names the spec file this one extends")
    if depth >= _MAX_EXTENDS:
        raise ReadError(source, f"more than {_MAX_EXTENDS} specs extend one another (a cycle?)")
    path = Path(parent_name)
    if not path.is_absolute():
        path = (folder or Path.cwd()) / path
    if path.exists() and not path.is_file():  # a device or a folder: nothing to read
        raise ReadError(source, f"extends {parent_name}: not a regular file")
    try:
        limits.check_size(path)
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(source, f"extends {parent_name}: {exc.strerror or exc}") from None
    parent_text = _text(data, str(path))
    parent = _extended(
        parse_yaml(parent_text, source=str(path)), texts, path.parent, str(path), depth + 1
    )
    for key in parent:
        if key not in document and key != "extends":
            texts.sections.setdefault(key, (parent_text, str(path)))
    return _merged({k: v for k, v in parent.items() if k != "extends"}, document)


def _merged(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """``base`` updated by ``update``: a section (top-level key) that is a mapping in both
    is updated key by key, each of its keys replaced whole; anything else replaces what
    ``base`` has. One level only, so that a key the spec sets means what it says (its
    ``attributes`` are all the attributes, not those of the other spec as well)."""
    out = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        else:
            out[key] = value
    return out


def loads_spec(
    data: str | bytes,
    model: type[SpecModel],
    *,
    source: str = "<string>",
    folder: str | Path | None = None,
) -> SpecModel:
    """Parse and validate a spec of type ``model`` from YAML (or JSON) text.

    Files the spec names (``extends:``, SDMX structure files in its structures) are found
    relative to ``folder`` (default: the working directory). A spec that ``extends`` another
    is merged onto it: what it does not set is taken; a section it sets as a mapping updates
    the other spec's section key by key (``aggregation: {weighting: ...}`` adds weighting to
    the aggregation, and each key it sets there replaces that key whole); anything else
    replaces the other spec's.

    Raises [`ReadError`][cdinterop.errors.ReadError] for text that is not YAML, and
    [`InvalidDatasetError`][cdinterop.errors.InvalidDatasetError] with every problem of the spec,
    each located by YAML path (the issue location) and line/column (in its message).
    """
    text = _text(data, source)
    base = Path(folder) if folder is not None else None
    texts = _Texts(text)
    document = _extended(parse_yaml(text, source=source), texts, base, source)
    try:
        return model.model_validate(document, context={"spec_folder": base})
    except ValidationError as exc:
        issues = _located(issues_from_pydantic(exc), texts, model)
        raise InvalidDatasetError(issues, context=f"mapping spec {source}") from None


def load_spec(path: str | Path, model: type[SpecModel]) -> SpecModel:
    """Load and validate a spec of type ``model`` from a YAML file (see
    [`loads_spec()`][cdinterop.mapping.loads_spec]); files it names are found relative to
    the spec's folder."""
    limits.check_size(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ReadError(str(path), exc.strerror or str(exc)) from None
    return loads_spec(data, model, source=str(path), folder=Path(path).parent)


def load_conformance_spec(path: str | Path) -> ConformanceSpec:
    """Load an SDMX conformance mapping ([`ConformanceSpec`][cdinterop.mapping.ConformanceSpec])
    from a YAML file."""
    return load_spec(path, ConformanceSpec)

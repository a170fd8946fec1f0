"""The public API is explicit and changes only on purpose.

Every public package declares ``__all__``; this test describes each name in it (function
signatures, class methods, pydantic and dataclass fields, enum members) as sorted text
lines and compares them with the committed snapshot ``tests/public_api.txt``. After a
deliberate change, regenerate the snapshot with::

    PYTHONPATH=src python tests/test_public_api.py

and record the change in ``CHANGELOG.md``.
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
import enum
import importlib
import importlib.util
import inspect
import re
import sys
import types
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

SNAPSHOT = Path(__file__).with_name("public_api.txt")

PACKAGES = (
    "cdinterop",
    "cdinterop.model",
    "cdinterop.codes",
    "cdinterop.frames",
    "cdinterop.mapping",
    "cdinterop.sdmx",
    "cdinterop.datapackage",
    "cdinterop.dcat",
    "cdinterop.conformance",
    "cdinterop.quality",
    "cdinterop.fitness",
    "cdinterop.ingest",
    "cdinterop.aggregate",
    "cdinterop.report",
    "cdinterop.draft",
    "cdinterop.convert",
    "cdinterop.testing",
    "cdinterop.errors",
    "cdinterop.schemas",
    "cdinterop.checking",
    "cdinterop.limits",
    "cdinterop.issue_codes",
    "cdinterop.formats",
    "cdinterop.engines",
    "cdinterop.catalog",
    "cdinterop.datacube",
    "cdinterop.serve",
)

MESSAGE = (
    "the public API changed: if deliberate, run `python tests/test_public_api.py` "
    "and record it in CHANGELOG.md"
)

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _clean(text: str) -> str:
    """One line, no memory addresses: the same text on every run."""
    return " ".join(_ADDRESS.sub("", text).split())


class _Verbatim(str):
    """Text that :mod:`inspect` prints as it is (not quoted) in a signature."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


def _value(value: Any) -> str:
    """A default or literal value as deterministic text."""
    if isinstance(value, enum.Enum):
        return f"{type(value).__qualname__}.{value.name}"
    if isinstance(value, (set, frozenset)):
        items = ", ".join(sorted(_value(item) for item in value))
        return f"{type(value).__qualname__}({{{items}}})"
    return _clean(repr(value))


def _checking_names(module_name: str) -> dict[str, Any]:
    """The names a module imports only for type checkers (``if TYPE_CHECKING:``)."""
    if module_name in _CHECKING_NAMES:
        return _CHECKING_NAMES[module_name]
    names: dict[str, Any] = {}
    _CHECKING_NAMES[module_name] = names
    module = sys.modules.get(module_name)
    try:
        source = inspect.getsource(module) if module is not None else ""
    except (OSError, TypeError):
        source = ""
    for node in ast.parse(source).body if source else []:
        if not isinstance(node, ast.If) or "TYPE_CHECKING" not in ast.unparse(node.test):
            continue
        for statement in node.body:
            if isinstance(statement, ast.Import | ast.ImportFrom):
                code = compile(ast.Module([statement], []), module_name, "exec")
                context = {"__name__": module_name, "__package__": module.__package__}
                exec(code, context, names)
    return names


_CHECKING_NAMES: dict[str, dict[str, Any]] = {}


def _namespace(owner: Any) -> dict[str, Any]:
    """Where ``owner``'s string annotations are evaluated: its module's global names and
    the ones it imports for type checkers only."""
    module_name = getattr(owner, "__module__", None) or ""
    module = sys.modules.get(module_name)
    return {**_checking_names(module_name), **(vars(module) if module is not None else {})}


def _resolve(annotation: Any, owner: Any) -> Any:
    """``annotation`` evaluated if it is still text (a string or a forward reference).

    Text that cannot be evaluated is kept (and reported by
    ``test_public_signatures_name_only_public_types``)."""
    if isinstance(annotation, typing.ForwardRef):
        annotation = annotation.__forward_arg__
    if not isinstance(annotation, str):
        return annotation
    # a wrapper made by a decorator from another package (``hypothesis.strategies.composite``)
    # is defined there: then the annotation is the public package's own
    exporter = sys.modules.get(_DESCRIBING[-1]) if _DESCRIBING else None
    for namespace in (_namespace(owner), vars(exporter) if exporter else None):
        if namespace is None:
            continue
        try:
            value = eval(annotation, namespace)  # our own annotations
        except Exception:  # any failure means: not resolvable here
            continue
        return _resolve(value, owner)
    _UNRESOLVED.add(f"{getattr(owner, '__qualname__', owner)}: {annotation}")
    return annotation


_DESCRIBING: list[str] = []
"""The public package whose names are being described (innermost last)."""


def _hints(owner: Any) -> dict[str, Any]:
    """The resolved annotations of a function, method or class (``typing.get_type_hints``
    with the type-checking-only imports; annotation by annotation if that fails)."""
    target = owner.fget if isinstance(owner, property) else owner
    if target is None:
        return {}
    try:
        return typing.get_type_hints(target, localns=_namespace(target), include_extras=True)
    except Exception:  # fall back to one annotation at a time
        annotations = getattr(target, "__annotations__", None) or {}
        return {name: _resolve(value, target) for name, value in annotations.items()}


_UNRESOLVED: set[str] = set()
_HOMELESS: set[str] = set()


def _third_party_name(cls: type) -> str:
    """A class outside cdinterop by the shortest name its package exports it under:
    ``pyarrow.Table`` rather than ``pyarrow.lib.Table``."""
    if cls.__module__ in ("builtins", "typing"):
        return cls.__qualname__
    parts = cls.__module__.split(".")
    for end in range(1, len(parts) + 1):
        module = sys.modules.get(".".join(parts[:end]))
        if module is not None and getattr(module, cls.__qualname__, None) is cls:
            return f"{module.__name__}.{cls.__qualname__}"
    return f"{cls.__module__}.{cls.__qualname__}"


def _render(annotation: Any, owner: Any = None) -> str:
    """A type annotation as deterministic text, in the style of ``typing``'s repr:
    cdinterop's types by their public names, other packages' by the names they export.

    Text left in the annotation (a forward reference in a subscript) is evaluated where
    ``owner`` is defined."""
    if isinstance(annotation, str | typing.ForwardRef):
        resolved = _resolve(annotation, owner) if owner is not None else annotation
        if isinstance(resolved, str | typing.ForwardRef):  # not resolvable: reported
            text = resolved if isinstance(resolved, str) else resolved.__forward_arg__
            _UNRESOLVED.add(f"{getattr(owner, '__qualname__', owner)}: {text}")
            return _clean(text)
        return _render(resolved, owner)
    if annotation is None or annotation is type(None):
        return "None"
    if annotation is Ellipsis:
        return "..."
    if isinstance(annotation, typing.TypeVar):  # a type variable, as typing shows it
        return f"~{annotation.__name__}"
    if isinstance(annotation, list):
        return "[" + ", ".join(_render(item, owner) for item in annotation) + "]"
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        # the kinds of metadata only: their reprs vary with the pydantic version, and the
        # constraints themselves are snapshotted by the committed JSON Schemas
        metadata = ", ".join(type(item).__qualname__ for item in annotation.__metadata__)
        return f"Annotated[{_render(args[0], owner)}, {metadata}]"
    if origin is typing.Literal:
        return "Literal[" + ", ".join(_value(arg) for arg in args) + "]"
    if origin is typing.Union or origin is types.UnionType:
        return " | ".join(_render(arg, owner) for arg in args)
    if origin is not None:
        name = _render(origin) if isinstance(origin, type) else _clean(repr(origin))
        if not args:
            return name
        return f"{name}[{', '.join(_render(arg, owner) for arg in args)}]"
    if isinstance(annotation, type):
        if not _own(annotation):
            return _third_party_name(annotation)
        public = _public_name(annotation)
        if public is None:
            public = f"{annotation.__module__}.{annotation.__qualname__}"
            _HOMELESS.add(public)
        return public
    return _clean(repr(annotation).replace("typing.", ""))


def _public_homes() -> dict[int, str]:
    """Where each public object is exported: ``id(object)`` -> its first public name."""
    homes: dict[int, str] = {}
    for package in PACKAGES:
        module = importlib.import_module(package)
        for name in module.__all__:
            if not _submodule_named(module, name):
                homes.setdefault(id(getattr(module, name)), f"{package}.{name}")
    return homes


def _public_name(value: Any) -> str | None:
    """The public name of one of cdinterop's objects, or ``None`` if it has none."""
    if not getattr(value, "__module__", "").startswith("cdinterop"):
        return None
    global _HOMES
    if _HOMES is None:
        _HOMES = _public_homes()
    return _HOMES.get(id(value))


_HOMES: dict[int, str] | None = None


def _signature(function: Callable[..., Any]) -> str:
    """``inspect.signature`` as text: annotations resolved, defaults without addresses."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):  # builtins without a text signature
        return "(...)"
    hints = _hints(inspect.unwrap(function))
    owner = inspect.unwrap(function)

    def resolved(name: str, annotation: Any) -> Any:
        return hints[name] if name in hints else _resolve(annotation, owner)

    empty = inspect.Parameter.empty
    parameters = [
        parameter.replace(
            annotation=(
                empty
                if parameter.annotation is empty
                else _Verbatim(_render(resolved(parameter.name, parameter.annotation), owner))
            ),
            default=(empty if parameter.default is empty else _Verbatim(_value(parameter.default))),
        )
        for parameter in signature.parameters.values()
    ]
    returns = signature.return_annotation
    if returns is not inspect.Signature.empty:
        returns = resolved("return", returns)
    signature = signature.replace(
        parameters=parameters,
        return_annotation=(
            inspect.Signature.empty
            if returns is inspect.Signature.empty
            else _Verbatim(_render(returns, owner))
        ),
    )
    return _clean(str(signature))


def _own(cls: type) -> bool:
    return cls.__module__.split(".")[0] == "cdinterop"


def _members(cls: type) -> Iterator[tuple[str, Any]]:
    """Public attributes that cdinterop's own classes in the MRO define, first one wins."""
    seen: set[str] = set()
    for klass in cls.__mro__:
        if not _own(klass):
            continue
        for name, value in vars(klass).items():
            if name not in seen:
                seen.add(name)
                yield name, value


def _describe_class(prefix: str, cls: type) -> Iterator[str]:
    bases = ", ".join(_render(base) for base in cls.__bases__ if base is not object)
    yield f"{prefix} class {cls.__qualname__}({bases})"
    if issubclass(cls, BaseModel):
        for name, info in cls.model_fields.items():
            yield f"{prefix}.{name}: {_render(info.annotation, cls)}"
    elif dataclasses.is_dataclass(cls):
        hints = _hints(cls)
        for item in dataclasses.fields(cls):
            annotation = hints.get(item.name, _resolve(item.type, cls))
            yield f"{prefix}.{item.name}: {_render(annotation, cls)}"
    elif "__init__" in dict(_members(cls)) and not inspect.isabstract(cls):
        # an abstract class is never made by users (the library hands out instances of
        # its private subclasses): its constructor is not public API
        init = dict(_members(cls))["__init__"]
        if callable(init) and getattr(init, "__module__", "").startswith("cdinterop"):
            yield f"{prefix}.__init__{_signature(init)}"
    if issubclass(cls, enum.Enum):
        for member in cls:
            yield f"{prefix}.{member.name} = {_value(member.value)}"
    for name, value in _members(cls):
        if name.startswith("_"):
            continue
        if isinstance(value, property):
            returns = _hints(value).get("return")
            if returns is None and value.fget is not None:
                returns = _resolve(inspect.signature(value.fget).return_annotation, value.fget)
            yield f"{prefix}.{name} property -> {_render(returns, value.fget)}"
        elif isinstance(value, (classmethod, staticmethod)):
            kind = type(value).__name__
            yield f"{prefix}.{name} {kind}{_signature(getattr(cls, name))}"
        elif inspect.isfunction(value) and value.__module__.startswith("cdinterop"):
            yield f"{prefix}.{name}{_signature(value)}"


def _describe(prefix: str, value: Any) -> Iterator[str]:
    if inspect.isclass(value):
        yield from _describe_class(prefix, value)
    elif inspect.ismodule(value):
        yield f"{prefix} module"
    elif typing.get_origin(value) is not None:  # a type alias such as ``Scalar``
        yield f"{prefix} = {_render(value)}"
    elif callable(value):
        yield f"{prefix}{_signature(value)}"
    else:
        yield f"{prefix} {type(value).__qualname__}"


def _private_references(lines: list[str]) -> list[str]:
    """Dotted names of private modules that the public descriptions mention."""
    found = re.findall(r"cdinterop(?:\.\w+)*\._[a-z]\w*(?:\.\w+)+", "\n".join(lines))
    return sorted(set(found))


def _submodule_named(module: types.ModuleType, name: str) -> bool:
    """Whether ``name`` is also a submodule of the package ``module``: importing that
    submodule rebinds the package's attribute to the module, so what the name means
    depends on what was imported before."""
    if not hasattr(module, "__path__"):
        return False
    return importlib.util.find_spec(f"{module.__name__}.{name}") is not None


def public_api() -> list[str]:
    """The description of every public name, as sorted lines."""
    lines: list[str] = []
    for package in PACKAGES:
        module = importlib.import_module(package)
        for name in module.__all__:
            prefix = f"{package}.{name}"
            if _submodule_named(module, name):  # not describable independently of imports
                lines.append(f"{prefix} SHADOWED by the submodule {prefix}")
            else:
                _DESCRIBING.append(package)
                try:
                    lines.extend(_describe(prefix, getattr(module, name)))
                finally:
                    _DESCRIBING.pop()
    return sorted(lines)


def _snapshot_text() -> str:
    return "\n".join(public_api()) + "\n"


def _dunder(name: str) -> bool:
    """``__version__`` and the like: public by convention."""
    return name.startswith("__") and name.endswith("__")


@pytest.mark.parametrize("package", PACKAGES)
def test_package_declares_its_public_names(package: str) -> None:
    module = importlib.import_module(package)
    assert "__all__" in vars(module), f"{package} has no __all__"
    names = list(module.__all__)
    assert len(names) == len(set(names)), f"{package}.__all__ repeats a name"
    missing = [name for name in names if not hasattr(module, name)]
    assert not missing, f"{package}.__all__ names what it does not define: {missing}"
    private = [name for name in names if name.startswith("_") and not _dunder(name)]
    assert not private, f"{package}.__all__ exports private names: {private}"


@pytest.mark.parametrize("package", PACKAGES)
def test_no_public_name_is_also_a_submodule(package: str) -> None:
    module = importlib.import_module(package)
    clashes = [name for name in module.__all__ if _submodule_named(module, name)]
    assert not clashes, f"{package}.__all__ names submodules of {package}: {clashes}"


def test_public_signatures_name_only_public_types() -> None:
    """A public signature never makes users reach into a private module for a type: every
    annotation resolves, and every cdinterop type it names is exported by a public package."""
    lines = public_api()
    assert not _UNRESOLVED, f"public annotations that do not resolve: {sorted(_UNRESOLVED)}"
    assert not _HOMELESS, (
        f"public signatures mention types with no public home: {sorted(_HOMELESS)}"
    )
    private = _private_references(lines)
    assert not private, f"public signatures mention private names: {private}"


def test_string_annotations_are_resolved() -> None:
    """Annotations written as text (``from __future__ import annotations``, string type
    aliases) are described as the types they mean, evaluated in the defining module."""

    def sample(a: Any, b: Any) -> Any:
        raise NotImplementedError

    sample.__annotations__ = {
        "a": "Path | None",
        "b": "BaseModel",
        "return": "tuple[Iterator[int], ...]",
    }
    assert _signature(sample) == (
        "(a: pathlib.Path | None, b: pydantic.BaseModel)"
        " -> tuple[collections.abc.Iterator[int], ...]"
    )


def test_unexported_types_are_reported() -> None:
    """A cdinterop type without a public name is recorded, whatever its module's name."""
    import cdinterop.errors

    class Hidden:
        pass

    Hidden.__module__ = "cdinterop.errors"
    try:
        assert (
            _render(Hidden) == "cdinterop.errors.test_unexported_types_are_reported.<locals>.Hidden"
        )
        assert _render(cdinterop.errors.Issue) == "cdinterop.Issue"
        assert "cdinterop.errors.test_unexported_types_are_reported.<locals>.Hidden" in _HOMELESS
    finally:
        _HOMELESS.discard("cdinterop.errors.test_unexported_types_are_reported.<locals>.Hidden")


def test_every_module_is_public_or_private() -> None:
    """A module is either one of the public packages above or private: a leading
    underscore in some part of its dotted name."""
    import pkgutil

    import cdinterop

    names = [info.name for info in pkgutil.walk_packages(cdinterop.__path__, "cdinterop.")]
    assert len(names) > 50  # the walk saw the implementation modules
    neither = [
        name
        for name in names
        if name not in PACKAGES and not any(part.startswith("_") for part in name.split("."))
    ]
    assert not neither, f"modules neither listed as public nor private: {neither}"


def test_public_api_matches_snapshot() -> None:
    expected = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""
    actual = _snapshot_text()
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                fromfile="tests/public_api.txt",
                tofile="current public API",
            )
        )
        pytest.fail(f"{MESSAGE}\n\n{diff}", pytrace=False)


if __name__ == "__main__":
    SNAPSHOT.write_text(_snapshot_text(), encoding="utf-8")
    print(f"wrote {SNAPSHOT} ({len(public_api())} lines)", file=sys.stderr)

"""JSON load and save of a [`CitizenDataset`][cdinterop.model.CitizenDataset].

The JSON form is the model's own serialisation (its JSON Schema is in ``schemas/``) and
includes the observations as an array of objects. Problems are reported as located
[`Issue`][cdinterop.errors.Issue] objects, never as raw pydantic or JSON errors.

It is the one form that keeps everything a subclass adds: ``save()`` writes each part by
its own class (a subclass of ``Agent`` in the provenance too), and ``load(path,
cls=MyDataset)`` reads it back into the subclass.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any, TypeVar, overload

import pyarrow as pa
from pydantic import ValidationError
from pydantic_core import to_json

from cdinterop import limits
from cdinterop._files import atomic_write
from cdinterop.errors import InvalidDatasetError, Issue, ReadError, WriteError, issues_from_pydantic
from cdinterop.model._base import added_fields
from cdinterop.model._dataset import CitizenDataset
from cdinterop.model._observations import Observations
from cdinterop.model._structure import DataStructure

__all__ = ["check_json", "dumps", "issues_from_pydantic", "load", "loads", "save"]


TOO_DEEP = (
    "nested too deeply to read: objects and arrays inside one another more than about "
    f"{sys.getrecursionlimit() - 100:,} levels (no data set or spec needs a tenth of that)"
)
"""The message for input nested beyond what the parsers can follow (Python's recursion
limit): a located refusal instead of a crash."""


def _parse(text: str | bytes, source: str) -> dict[str, Any]:
    limits.exceeded(source, "bytes", len(text), "a document larger than the limit")
    limits.check_json_nesting(text, source)
    try:
        data = json.loads(text.decode("utf-8-sig") if isinstance(text, bytes) else text)
    except UnicodeDecodeError as exc:
        raise ReadError(source, f"not UTF-8 text ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise ReadError(
            source, f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise ReadError(source, TOO_DEEP) from None
    except ValueError as exc:  # an integer longer than Python converts
        raise ReadError(source, f"not readable JSON: {str(exc).split(';')[0]}") from None
    if not isinstance(data, dict):
        raise ReadError(source, f"expected a JSON object, found {type(data).__name__}")
    return data


def _read(path: str | Path) -> bytes:
    limits.check_size(path)
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ReadError(str(path), exc.strerror or str(exc)) from None


DatasetT = TypeVar("DatasetT", bound=CitizenDataset)


@overload
def loads(text: str | bytes, *, source: str = "<string>") -> CitizenDataset: ...
@overload
def loads(text: str | bytes, *, source: str = "<string>", cls: type[DatasetT]) -> DatasetT: ...
def loads(
    text: str | bytes, *, source: str = "<string>", cls: type[CitizenDataset] | None = None
) -> CitizenDataset:
    """Parse a data set from JSON text, as ``cls`` (default ``CitizenDataset``; a subclass
    reads the fields it adds); raise ``ReadError`` or ``InvalidDatasetError``."""
    cls = CitizenDataset if cls is None else cls
    if not (isinstance(cls, type) and issubclass(cls, CitizenDataset)):
        raise TypeError(f"cls must be CitizenDataset or a subclass of it, not {cls!r}")
    data = _parse(text, source)
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        raise InvalidDatasetError(issues_from_pydantic(exc), context=source) from None


@overload
def load(path: str | Path) -> CitizenDataset: ...
@overload
def load(path: str | Path, *, cls: type[DatasetT]) -> DatasetT: ...
def load(path: str | Path, *, cls: type[CitizenDataset] | None = None) -> CitizenDataset:
    """Load a data set saved by [`save()`][cdinterop.save] (or written by hand to its JSON
    Schema), as ``cls`` (default ``CitizenDataset``): a subclass of ``CitizenDataset`` reads
    back the fields it adds (the base class refuses them as unknown fields)."""
    return loads(_read(path), source=str(path), cls=CitizenDataset if cls is None else cls)


def dumps(dataset: CitizenDataset, *, indent: int | None = 2) -> str:
    """Serialise a data set, observations included, to JSON text; each part by its own
    class, so the fields subclasses add are kept."""
    if all(found.location == "(root)" for found in added_fields(dataset)):
        return dataset.model_dump_json(indent=indent, exclude_defaults=False)
    return _dumps_as_classes(dataset, indent)


def _dumps_as_classes(dataset: CitizenDataset, indent: int | None) -> str:
    """`dumps()` of a data set with parts of subclasses: pydantic writes a part by the class
    its field declares unless told to write each by its own (``serialize_as_any``), which
    the observation table, not a model, does not take; so the table is written apart and
    put back in its place."""
    data = dataset.model_dump(mode="json", serialize_as_any=True, exclude={"observations"})
    ordered = {
        name: dataset.observations.to_json_records() if name == "observations" else data[name]
        for name in type(dataset).model_fields
    }
    ordered.update(data)  # the values of a subclass that allows extra ones
    return to_json(ordered, indent=indent).decode("utf-8")


_STREAM_ROWS = 16_384
"""Observations serialised at a time by `save()`."""


def _write(dataset: CitizenDataset, handle: IO[str], indent: int | None) -> None:
    """Write what `dumps()` gives, the observations a batch at a time (a table of a million
    rows would otherwise become a million Python dicts and one string at once). The
    metadata are written around an empty table, whose ``"observations": []`` is replaced
    by the batches, each serialised by pydantic's JSON writer as the whole would be."""
    if indent is None or len(dataset.observations) <= _STREAM_ROWS:
        handle.write(dumps(dataset, indent=indent))
        return
    empty = dataset.model_copy(update={"observations": Observations()})
    text = dumps(empty, indent=indent)
    marker = f'\n{" " * indent}"observations": []'
    head, found, tail = text.partition(marker)
    if not found:  # pragma: no cover - the model always has the field
        handle.write(dumps(dataset, indent=indent))
        return
    pad = " " * indent
    handle.write(head)
    handle.write(f'\n{pad}"observations": [')
    first = True
    for batch in dataset.observations.iter_batches(_STREAM_ROWS):
        rows = Observations(pa.Table.from_batches([batch])).to_json_records()
        items = to_json(rows, indent=indent).decode("utf-8")[2:-2]  # inside "[\n" "\n]"
        handle.write("\n" if first else ",\n")
        handle.write("\n".join(pad + line for line in items.split("\n")))
        first = False
    handle.write(f"\n{pad}]")
    handle.write(tail)


def save(dataset: CitizenDataset, path: str | Path, *, indent: int | None = 2) -> Path:
    """Write a data set to ``path`` as JSON (what `dumps()` gives, the observations
    serialised a batch at a time), atomically; return the path."""
    target = Path(path)
    try:
        with atomic_write(target, "w", encoding="utf-8") as handle:
            _write(dataset, handle, indent)
            handle.write("\n")
    except OSError as exc:
        raise WriteError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target


def check_json(path: str | Path) -> list[Issue]:
    """Check a data set JSON file and return every problem found (empty when valid).

    Unlike [`load()`][cdinterop.load], this also checks the observations when the metadata has
    errors, so that one run reports everything. Raises ``ReadError`` if the file is not JSON.
    """
    return check_json_observations(path)[0]


def check_json_observations(path: str | Path) -> tuple[list[Issue], Observations | None]:
    """[`check_json()`][cdinterop.model._jsonio.check_json], with the observation table
    when it could be read (for checks that look at the values themselves)."""
    data = _parse(_read(path), str(path))
    try:
        dataset = CitizenDataset.model_validate(data)
    except InvalidDatasetError as exc:
        return list(exc.issues), None
    except ValidationError as exc:
        issues = issues_from_pydantic(exc)
    else:
        return [], dataset.observations
    if any(i.location.startswith("structure") for i in issues) or "structure" not in data:
        return issues, None
    try:
        structure = DataStructure.model_validate(data["structure"])
        observations = Observations.coerce(data.get("observations", []))
    except (ValidationError, ValueError):
        return issues, None
    return issues + observations.check(structure), observations

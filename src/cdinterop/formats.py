"""The formats cdinterop reads and writes, found by name: a small registry that other packages
add to.

A [`Format`][cdinterop.formats.Format] says what a format is called, what it is, and how a
[`CitizenDataset`][cdinterop.model.CitizenDataset] is written into an output folder
([`Writer`][cdinterop.formats.Writer]) and read from a file
([`Reader`][cdinterop.formats.Reader]). The built-in formats are ``sdmx``, ``datapackage``,
``dcat`` and ``model`` (the model's own JSON); their packages are imported only when one of
them reads or writes, so looking a format up costs nothing. ``convert`` writes each output it
is asked for through this registry::

    from cdinterop.formats import formats, get_format

    [f.name for f in formats()]        # ['sdmx', 'datapackage', 'dcat', 'model', ...]
    get_format("datapackage").read     # reads a folder, datapackage.json or .zip

Another package adds a format in one of two ways:

- at run time, with [`register_format()`][cdinterop.formats.register_format];
- when installed, with an entry point in the group ``cdinterop.formats`` whose name is the
  format's name and whose object is a ``Format`` (or a function without arguments that
  returns one)::

      [project.entry-points."cdinterop.formats"]
      jsonl = "cdinterop_jsonl:FORMAT"

A writer may take per-run options (the base IRI of the DCAT identifiers, ``base_iri``): its
format names them in [`Format.options`][cdinterop.formats.Format.options] and its writer takes
a keyword-only ``options`` mapping ([`OptionsWriter`][cdinterop.formats.OptionsWriter]);
[`Format.write_into()`][cdinterop.formats.Format.write_into] passes it the run's options it
names, and calls a format that names none, as every plugin written before options existed,
as ``write(dataset, folder)``.

Entry points are looked at on the first use of the registry and each is loaded when its
format is first asked for (``formats()`` loads them all). A plugin that cannot be loaded, or
that gives something other than a ``Format`` of its own name, is left out with a
[`FormatPluginWarning`][cdinterop.formats.FormatPluginWarning]: a broken plugin never stops
cdinterop. A plugin cannot take a built-in name (``register_format(..., replace=True)`` can,
on purpose).
"""

from __future__ import annotations

import re
import threading
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

from cdinterop.errors import CdinteropError

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

    from cdinterop.model import CitizenDataset

__all__ = [
    "ENTRY_POINT_GROUP",
    "Format",
    "FormatPluginWarning",
    "OptionsWriter",
    "Reader",
    "UnknownFormatError",
    "Writer",
    "formats",
    "get_format",
    "register_format",
]

ENTRY_POINT_GROUP = "cdinterop.formats"
"""The entry-point group in which installed packages declare formats."""

_NAME = re.compile(r"^[a-z][a-z0-9-]*$")


class Reader(Protocol):
    """Reads a data set from a file or folder (raising
    [`ReadError`][cdinterop.errors.ReadError] or
    [`InvalidDatasetError`][cdinterop.errors.InvalidDatasetError])."""

    def __call__(self, source: Path, /) -> CitizenDataset:
        """The data set that ``source`` holds."""
        ...


class Writer(Protocol):
    """Writes a data set into an output folder, under the format's own names (the SDMX writer
    makes ``sdmx/``, the Data Package writer ``datapackage.zip``).

    Returns the data files written that a catalogue should list as the data set's
    distributions (the files users download for the data), an empty list for a description
    such as DCAT. A format that has no place for the fields subclasses add calls
    [`refuse_added_fields()`][cdinterop.model.refuse_added_fields] first.
    """

    def __call__(self, dataset: CitizenDataset, folder: Path, /) -> Sequence[Path]:
        """Write ``dataset`` into the existing folder ``folder``; return the data files."""
        ...


class OptionsWriter(Protocol):
    """A [`Writer`][cdinterop.formats.Writer] that also takes per-run options, keyword-only:
    the ones its format names in [`Format.options`][cdinterop.formats.Format.options]
    (``{"base_iri": "https://data.example.org/"}`` for DCAT). Called without them, it writes
    as a plain ``Writer`` would, so ``fmt.write(dataset, folder)`` works for every format.
    """

    def __call__(
        self,
        dataset: CitizenDataset,
        folder: Path,
        /,
        *,
        options: Mapping[str, object] | None = None,
    ) -> Sequence[Path]:
        """Write ``dataset`` into ``folder`` with ``options``; return the data files."""
        ...


@dataclass(frozen=True)
class Format:
    """A format that cdinterop can read, write or both."""

    name: str
    """What users call it (``convert(to=[...])``, entry-point name): lower-case letters,
    digits and ``-``, starting with a letter."""
    title: str
    """Its name in sentences, e.g. ``Data Package``."""
    summary: str
    """One line on what it is and what it holds."""
    write: Writer | OptionsWriter | None = None
    """How a data set is written into an output folder; ``None`` if it is only read. Call
    [`write_into()`][cdinterop.formats.Format.write_into] to pass a run's options."""
    read: Reader | None = None
    """How a data set is read from a file or folder; ``None`` if it is only written."""
    suffixes: tuple[str, ...] = ()
    """The file kinds it reads and writes, as suffixes (``.xml``, ``.csv``)."""
    describes: bool = False
    """Whether it describes the published data set rather than holding its data (DCAT, the
    model's JSON): such a format is written after the others, from the data set that lists
    their files as distributions."""
    options: tuple[str, ...] = ()
    """The per-run options its writer takes (an
    [`OptionsWriter`][cdinterop.formats.OptionsWriter]), e.g. ``("base_iri",)`` for DCAT;
    empty (the default) for a writer that takes none, which is called as
    ``write(dataset, folder)``."""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise ValueError(
                f"format name {self.name!r}: use lower-case letters, digits and '-', "
                "starting with a letter"
            )
        if self.write is None and self.read is None:
            raise ValueError(f"format {self.name!r} neither reads nor writes")
        if self.options and self.write is None:
            raise ValueError(f"format {self.name!r} takes writer options but does not write")

    def write_into(
        self,
        dataset: CitizenDataset,
        folder: Path,
        options: Mapping[str, object] | None = None,
    ) -> Sequence[Path]:
        """Write ``dataset`` into ``folder`` with the run's ``options``: those this format
        names in [`options`][cdinterop.formats.Format.options] are passed to its writer
        (keyword ``options``), the others are left out; a format that names none is called
        as ``write(dataset, folder)``. Returns the data files the writer returns; raises
        ``ValueError`` for a format that only reads."""
        if self.write is None:
            raise ValueError(f"the format {self.name} is read, not written")
        if not self.options:
            return self.write(dataset, folder)
        given = options or {}
        taken = {name: given[name] for name in self.options if name in given}
        return cast("OptionsWriter", self.write)(dataset, folder, options=taken)


class FormatPluginWarning(UserWarning):
    """An installed format plugin could not be used; it is left out, and the rest works."""


class UnknownFormatError(CdinteropError, LookupError):
    """A format name that no built-in format, plugin or registration gives."""


# -- the built-in formats (their packages imported only when used) --------------------------


def _write_sdmx(dataset: CitizenDataset, folder: Path) -> list[Path]:
    from cdinterop import sdmx

    written = sdmx.write_all(dataset, folder / "sdmx")
    return [path for path in written if path.name.startswith("data-")]


def _read_sdmx(source: Path) -> CitizenDataset:
    from cdinterop import sdmx

    return sdmx.read(source)


def _write_datapackage(dataset: CitizenDataset, folder: Path) -> list[Path]:
    from cdinterop import datapackage

    return [datapackage.write(dataset, folder / "datapackage.zip")]


def _read_datapackage(source: Path) -> CitizenDataset:
    from cdinterop import datapackage

    return datapackage.read(source)


def _write_dcat(
    dataset: CitizenDataset, folder: Path, *, options: Mapping[str, object] | None = None
) -> list[Path]:
    from cdinterop import dcat

    base_iri = (options or {}).get("base_iri")
    if base_iri is None:
        dcat.write(dataset, folder / "dataset.ttl")
    else:
        dcat.write(dataset, folder / "dataset.ttl", base_iri=str(base_iri))
    return []


def _read_dcat(source: Path) -> CitizenDataset:
    from cdinterop import dcat

    return dcat.read(source)


def _write_model(dataset: CitizenDataset, folder: Path) -> list[Path]:
    from cdinterop.model._internal import save

    save(dataset, folder / "dataset.json")
    return []


def _read_model(source: Path) -> CitizenDataset:
    from cdinterop.model._internal import load

    return load(source)


_BUILT_IN: tuple[Format, ...] = (
    Format(
        "sdmx",
        "SDMX",
        "SDMX-ML 2.1 and 3.0 and SDMX-JSON structure messages and every data format that fits "
        "(sdmx/)",
        write=_write_sdmx,
        read=_read_sdmx,
        suffixes=(".xml", ".csv", ".json"),
    ),
    Format(
        "datapackage",
        "Data Package",
        "a Frictionless Data Package v2, zipped (datapackage.zip)",
        write=_write_datapackage,
        read=_read_datapackage,
        suffixes=(".zip", ".json"),
    ),
    Format(
        "dcat",
        "DCAT",
        "the DCAT-AP 3 description of the data set and its distributions (dataset.ttl)",
        write=_write_dcat,
        read=_read_dcat,
        suffixes=(".ttl", ".jsonld", ".rdf", ".xml", ".nt"),
        describes=True,
        options=("base_iri",),
    ),
    Format(
        "model",
        "model JSON",
        "the model's own JSON, observations included (dataset.json)",
        write=_write_model,
        read=_read_model,
        suffixes=(".json",),
        describes=True,
    ),
)
"""The formats cdinterop brings, in the order ``formats()`` lists them."""


# -- the registry ---------------------------------------------------------------------------


@dataclass
class _Registry:
    known: dict[str, Format]
    pending: dict[str, EntryPoint]
    discovered: bool = False

    def discover(self) -> None:
        """List the plugins' entry points, once: only when a name is not built in or every
        format is asked for (listing them reads every installed distribution's metadata)."""
        if not self.discovered:
            self.discovered = True
            found = _discover()
            self.pending.update({k: v for k, v in found.items() if k not in self.known})


_lock = threading.RLock()
_state: _Registry | None = None


def _discover() -> dict[str, EntryPoint]:
    """The entry points of the group, by name (not loaded); built-in names are refused."""
    from importlib.metadata import entry_points

    builtin = {fmt.name for fmt in _BUILT_IN}
    found: dict[str, EntryPoint] = {}
    try:
        points: Iterable[EntryPoint] = entry_points(group=ENTRY_POINT_GROUP)
    except Exception as exc:  # a broken installed distribution: no plugins, a warning
        warnings.warn(
            f"format plugins could not be listed: {exc}", FormatPluginWarning, stacklevel=4
        )
        return found
    for point in sorted(points, key=lambda p: p.name):
        if point.name in builtin:
            warnings.warn(
                f"format plugin {point.name!r} ({point.value}) is left out: "
                f"{point.name!r} is a built-in format",
                FormatPluginWarning,
                stacklevel=4,
            )
        elif point.name not in found:
            found[point.name] = point
    return found


def _registry() -> _Registry:
    global _state
    with _lock:
        if _state is None:
            _state = _Registry({fmt.name: fmt for fmt in _BUILT_IN}, {})
        return _state


def _load(point: EntryPoint) -> Format | None:
    """The format an entry point gives, or ``None`` with a warning saying why not."""
    try:
        loaded: object = point.load()
        if not isinstance(loaded, Format) and callable(loaded):
            loaded = loaded()
    except Exception as exc:  # whatever a plugin raises, cdinterop carries on
        why = f"{type(exc).__name__}: {exc}"
    else:
        if isinstance(loaded, Format) and loaded.name == point.name:
            return loaded
        if isinstance(loaded, Format):
            why = f"it gives the format {loaded.name!r}, not {point.name!r}"
        else:
            why = f"it gives {type(loaded).__name__}, not a cdinterop.formats.Format"
    warnings.warn(
        f"format plugin {point.name!r} ({point.value}) is left out: {why}",
        FormatPluginWarning,
        stacklevel=4,
    )
    return None


def _resolve(registry: _Registry, name: str) -> Format | None:
    if name in registry.known:
        return registry.known[name]
    registry.discover()
    point = registry.pending.pop(name, None)
    if point is None:
        return None
    fmt = _load(point)
    if fmt is not None:
        registry.known[name] = fmt
    return fmt


def register_format(fmt: Format, *, replace: bool = False) -> Format:
    """Add ``fmt`` to the registry and return it. A name already taken (by a built-in
    format, a plugin or an earlier registration) raises ``ValueError`` unless ``replace``."""
    if not isinstance(fmt, Format):
        raise TypeError(f"register a cdinterop.formats.Format, not {type(fmt).__name__}")
    with _lock:
        registry = _registry()
        registry.discover()
        taken = fmt.name in registry.known or fmt.name in registry.pending
        if taken and not replace:
            raise ValueError(
                f"a format named {fmt.name!r} is already registered (replace=True replaces it)"
            )
        registry.pending.pop(fmt.name, None)
        registry.known[fmt.name] = fmt
    return fmt


def get_format(name: str) -> Format:
    """The format called ``name`` (loading its plugin if it comes from one); raises
    [`UnknownFormatError`][cdinterop.formats.UnknownFormatError] naming the known ones."""
    with _lock:
        registry = _registry()
        fmt = _resolve(registry, name)
        if fmt is None:
            known = sorted({*registry.known, *registry.pending})
            raise UnknownFormatError(f"unknown format {name!r}; known: {', '.join(known)}")
        return fmt


def _order(fmt: Format) -> tuple[int, str]:
    builtin = [f.name for f in _BUILT_IN]
    return (builtin.index(fmt.name), "") if fmt.name in builtin else (len(builtin), fmt.name)


def formats(names: Iterable[str] | None = None) -> tuple[Format, ...]:
    """Every format, the built-in ones first in their own order, then the others by name
    (every plugin is loaded); with ``names``, those formats alone, in that same order (only
    their plugins are loaded; an unknown name raises
    [`UnknownFormatError`][cdinterop.formats.UnknownFormatError])."""
    with _lock:
        registry = _registry()
        if names is None:
            registry.discover()
            for name in list(registry.pending):
                _resolve(registry, name)
            found = list(registry.known.values())
        else:
            found = [get_format(name) for name in dict.fromkeys(names)]
    return tuple(sorted(found, key=_order))


def _reset() -> Callable[[], None]:
    """Testing hook: forget the registry (built-ins and entry points are looked at again on
    next use); returns a function that puts the previous state back."""
    global _state
    with _lock:
        previous, _state = _state, None

    def restore() -> None:
        global _state
        with _lock:
            _state = previous

    return restore

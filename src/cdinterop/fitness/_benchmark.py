"""Population benchmarks: official counts by dimension, read from a CSV or an SDMX message."""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from cdinterop.errors import ReadError

__all__ = ["Benchmark", "read_benchmark"]

_SDMX_CSV_FIRST_COLUMNS = ("DATAFLOW", "STRUCTURE")

Key = tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Benchmark:
    """Official population counts to hold a sample against (a census table, say).

    ``margins`` maps each dimension id to its codes and their population counts (the
    county margin: ``{"REF_AREA": {"KE-30": 4_400_000, ...}}``); every margin adds up to
    the same population total. ``joint`` is the full cross-table of the dimensions when
    the source has one (a column per dimension and a ``count`` column), else ``None``.
    ``source`` says where the figures come from (a file name).
    """

    margins: Mapping[str, Mapping[str, float]]
    joint: pa.Table | None = None
    source: str = "benchmark"

    @property
    def dimensions(self) -> tuple[str, ...]:
        """The dimension ids, in the order of ``margins``."""
        return tuple(self.margins)

    @property
    def total(self) -> float:
        """The population total (the sum of the first margin)."""
        first = next(iter(self.margins.values()), {})
        return float(sum(first.values()))


def read_benchmark(
    path: str | Path,
    *,
    dimensions: Sequence[str] | None = None,
    value: str = "OBS_VALUE",
    totals: Sequence[str] = ("_T",),
    structure: object | None = None,
    tolerance: float = 1e-6,
) -> Benchmark:
    """Read population counts from a long CSV or an SDMX data message.

    One row (or observation) per cell: the dimension columns and a count in ``value``.
    A row whose dimension holds a code of ``totals`` is a margin of the other dimensions
    (``REF_AREA=KE-30,SEX=_T`` is the county's population); a row with every dimension at
    a total is the grand total; a row with no total is a cell of the cross-table (the
    ``joint`` of the result). The margin of a dimension is its rows with every other
    dimension at a total or, when there are none, the sum of the cross-table. Rows with
    some but not all other dimensions at a total (partial cross-tables) are not used.

    ``dimensions`` defaults to every column but ``value`` (CSV) or the data structure's
    dimensions (SDMX); a column that holds a single code on every row is then left out
    (a frequency or a unit says nothing about who is counted). A file whose header starts
    with ``DATAFLOW`` or ``STRUCTURE`` (SDMX-CSV), or that is not a ``.csv``, is read with
    [`cdinterop.sdmx.read`][cdinterop.sdmx.read] and ``structure`` (a data set or a
    structure message; default: the structure message beside the file).

    The parts of a margin must add up to what the source says: each margin to the grand
    total, the cross-table to each margin, all margins to the same total, within
    ``tolerance`` relative to the larger figure (default 1e-6: rounded or perturbed tables
    need a larger one).

    Raises [`ReadError`][cdinterop.errors.ReadError] naming the file, the row and the column
    for a negative, missing or non-numeric count, an unknown dimension or value column, a
    duplicate row, a dimension without a margin, and parts that do not add up.
    """
    source = Path(path)
    name = str(path)
    if _is_plain_csv(source):
        header, rows = _csv_rows(source, name)
        candidates = [c for c in header if c != value]
    else:
        header, rows, candidates = _sdmx_rows(source, structure)
    dims = _choose_dimensions(
        name, header, rows, dimensions or candidates, value, dimensions is None
    )
    cells = _cells(name, header, rows, dims, value)
    return _build(name, dims, cells, frozenset(totals), tolerance)


def _is_plain_csv(path: Path) -> bool:
    if path.suffix.lower() != ".csv":
        return False
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            first = next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError) as exc:
        raise ReadError(str(path), str(exc)) from exc
    return not (first and first[0].strip().upper() in _SDMX_CSV_FIRST_COLUMNS)


def _csv_rows(path: Path, name: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the rows (with their line number) of a plain CSV."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = [column.strip() for column in next(reader, [])]
            rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ReadError(name, str(exc)) from exc
    if not header:
        raise ReadError(name, "the file is empty (no header row)")
    for line, row in rows:
        if len(row) != len(header):
            raise ReadError(
                name, f"row {line}: {len(row)} fields where the header has {len(header)}"
            )
    return header, rows


def _sdmx_rows(
    path: Path, structure: object | None
) -> tuple[list[str], list[tuple[int, list[str]]], list[str]]:
    """The observations of an SDMX data message as text rows (numbered from 1), and the
    structure's dimensions."""
    from cdinterop import sdmx  # lazily: fitness reads SDMX only for a benchmark

    dataset = sdmx.read(path, structure=structure)  # type: ignore[arg-type]
    table = dataset.observations.table
    header = [str(column) for column in table.column_names]
    columns = [table.column(c).to_pylist() for c in header]
    rows = [
        (number, ["" if v is None else str(v) for v in values])
        for number, values in enumerate(zip(*columns, strict=True), start=1)
    ]
    return header, rows, [d.id for d in dataset.structure.dimensions]


def _choose_dimensions(
    name: str,
    header: Sequence[str],
    rows: Sequence[tuple[int, list[str]]],
    dimensions: Sequence[str],
    value: str,
    only_varying: bool,
) -> list[str]:
    """The dimension columns: the ones asked for, or (``only_varying``) those of the
    candidates that hold more than one code (all of them when none does)."""
    if value not in header:
        raise ReadError(name, f"no value column {value!r} (columns: {_shown(header)})")
    if not only_varying:
        unknown = [d for d in dimensions if d not in header]
        if unknown:
            raise ReadError(name, f"unknown dimension {unknown[0]!r} (columns: {_shown(header)})")
        if value in dimensions:
            raise ReadError(name, f"{value!r} is the value column, not a dimension")
        return list(dimensions)
    present = [c for c in dimensions if c != value and c in header]
    chosen = [c for c in present if len({row[header.index(c)] for _, row in rows}) > 1]
    if not present:
        raise ReadError(name, "no dimension column: nothing to break the population down by")
    return chosen or present


def _shown(header: Iterable[str]) -> str:
    return ", ".join(header)


def _cells(
    name: str,
    header: Sequence[str],
    rows: Sequence[tuple[int, list[str]]],
    dims: Sequence[str],
    value: str,
) -> dict[Key, tuple[float, int]]:
    """Every row as key -> (count, row number), each count checked."""
    positions = [header.index(d) for d in dims]
    at = header.index(value)
    cells: dict[Key, tuple[float, int]] = {}
    for line, row in rows:
        key = tuple(row[p].strip() for p in positions)
        for dim, code in zip(dims, key, strict=True):
            if not code:
                raise ReadError(name, f"row {line}, column {dim}: empty code")
        count = _count(name, line, value, row[at])
        if key in cells:
            raise ReadError(
                name, f"row {line}: the same cell as row {cells[key][1]} ({_key(dims, key)})"
            )
        cells[key] = (count, line)
    if not cells:
        raise ReadError(name, "no rows")
    return cells


def _count(name: str, line: int, column: str, text: str) -> float:
    try:
        count = float(text.strip())
    except ValueError:
        raise ReadError(name, f"row {line}, column {column}: {text!r} is not a number") from None
    if not math.isfinite(count):
        raise ReadError(name, f"row {line}, column {column}: {text!r} is not a finite number")
    if count < 0:
        raise ReadError(name, f"row {line}, column {column}: negative count {text.strip()}")
    return count


def _key(dims: Sequence[str], key: Key) -> str:
    return ",".join(f"{d}={c}" for d, c in zip(dims, key, strict=True))


def _build(
    name: str,
    dims: Sequence[str],
    cells: Mapping[Key, tuple[float, int]],
    totals: frozenset[str],
    tolerance: float,
) -> Benchmark:
    """Margins, joint and the consistency checks, from the classified rows."""
    by_kind: dict[frozenset[int], dict[Key, tuple[float, int]]] = defaultdict(dict)
    for key, cell in cells.items():
        kind = frozenset(i for i, code in enumerate(key) if code not in totals)
        by_kind[kind][key] = cell
    everything = frozenset(range(len(dims)))
    joint_cells = by_kind.get(everything, {})
    check = _Checker(name, dims, tolerance)
    margins: dict[str, dict[str, float]] = {}
    for i, dim in enumerate(dims):
        stated = {key[i]: cell for key, cell in by_kind.get(frozenset({i}), {}).items()}
        summed = _sum_by(joint_cells, i)
        if stated and summed:
            check.parts(dim, summed, stated)
        if not stated and not summed:
            raise ReadError(
                name, f"no margin for dimension {dim}: no row with {dim} alone broken down"
            )
        margins[dim] = {code: cell[0] for code, cell in stated.items()} if stated else summed
    grand = by_kind.get(frozenset(), {})
    check.totals(margins, next(iter(grand.values()), None))
    joint = None
    if len(dims) > 1 and joint_cells:
        columns = {d: [key[i] for key in joint_cells] for i, d in enumerate(dims)}
        joint = pa.table({**columns, "count": [cell[0] for cell in joint_cells.values()]})
    return Benchmark(margins=margins, joint=joint, source=name)


def _sum_by(cells: Mapping[Key, tuple[float, int]], i: int) -> dict[str, float]:
    sums: dict[str, float] = defaultdict(float)
    for key, (count, _) in cells.items():
        sums[key[i]] += count
    return dict(sums)


@dataclass(frozen=True)
class _Checker:
    name: str
    dims: Sequence[str]
    tolerance: float

    def close(self, a: float, b: float) -> bool:
        return abs(a - b) <= self.tolerance * max(abs(a), abs(b), 1.0)

    def parts(
        self, dim: str, summed: Mapping[str, float], stated: Mapping[str, tuple[float, int]]
    ) -> None:
        """The cross-table, summed over the other dimensions, against the stated margin."""
        for code in sorted(set(summed) | set(stated)):
            count, line = stated.get(code, (0.0, 0))
            parts = summed.get(code, 0.0)
            if not self.close(parts, count):
                where = f"row {line}" if line else "no margin row"
                raise ReadError(
                    self.name,
                    f"{where}, {dim}={code}: the cells of the cross-table add up to "
                    f"{parts:g}, the margin says {count:g} (tolerance {self.tolerance:g})",
                )

    def totals(
        self, margins: Mapping[str, Mapping[str, float]], grand: tuple[float, int] | None
    ) -> None:
        """Every margin adds up to the grand total (when stated) and to the same total."""
        sums = {dim: math.fsum(margin.values()) for dim, margin in margins.items()}
        reference, label = (grand[0], f"the grand total (row {grand[1]})") if grand else (None, "")
        for dim, total in sums.items():
            if reference is None:
                reference, label = total, f"the {dim} margin"
                continue
            if not self.close(total, reference):
                raise ReadError(
                    self.name,
                    f"the {dim} margin adds up to {total:g}, {label} to {reference:g} "
                    f"(tolerance {self.tolerance:g})",
                )

"""The served data sets: output folders of ``cdinterop convert`` loaded once at start-up.

An output folder holds ``dataset.json``, the whole data set (metadata, structure and
observations) in cdinterop's model, which is what the service answers from: every data
message is written from its observation table, every structure message from its
structure. A folder without it (or whose conversion failed) is refused with a
[`ReadError`][cdinterop.errors.ReadError] that says what a cdinterop output is.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from cdinterop.errors import CdinteropError, ReadError
from cdinterop.model import CitizenDataset
from cdinterop.model._internal import load

__all__ = ["ServedCatalogue", "ServedDataset", "load_catalogue"]

DATASET_FILE = "dataset.json"
SUMMARY_FILE = "summary.json"
_HOW = "write one with: cdinterop convert SUBMISSION -m SPEC -o OUTDIR"


@dataclass(frozen=True, eq=False)
class ServedDataset:
    """One served data set: its folder, the data set and when its data last changed."""

    folder: Path
    """The output folder it was loaded from."""
    dataset: CitizenDataset
    """The whole data set, observations included."""

    @property
    def agency(self) -> str:
        """Agency of its dataflow."""
        return self.dataset.agency

    @property
    def id(self) -> str:
        """Id of its dataflow."""
        return self.dataset.id

    @property
    def version(self) -> str:
        """Version of its dataflow."""
        return self.dataset.version

    @property
    def flow_key(self) -> tuple[str, str, str]:
        """``(agency, id, version)`` of its dataflow."""
        return (self.agency, self.id, self.version)

    @property
    def structure_key(self) -> tuple[str, str, str]:
        """``(agency, id, version)`` of its data structure definition."""
        s = self.dataset.structure
        return (s.agency, s.id, s.version)

    @property
    def updated(self) -> datetime | None:
        """When the data last changed: the latest time of its provenance activities, or
        the end of its ``modified`` date; ``None`` when the data set says neither."""
        times = [
            moment
            for activity in self.dataset.provenance.activities
            for moment in (activity.started_at, activity.ended_at)
            if moment is not None
        ]
        if self.dataset.modified is not None:
            end_of_day = datetime.combine(self.dataset.modified, time(), UTC) + timedelta(days=1)
            times.append(end_of_day)
        aware = [t if t.tzinfo else t.replace(tzinfo=UTC) for t in times]
        return max(aware) if aware else None


@dataclass(frozen=True)
class ServedCatalogue:
    """The data sets a service answers for, each dataflow once."""

    datasets: tuple[ServedDataset, ...] = field(default=())

    def __iter__(self) -> Iterator[ServedDataset]:
        return iter(self.datasets)

    def __len__(self) -> int:
        return len(self.datasets)


def _refuse_failed(folder: Path) -> None:
    summary = folder / SUMMARY_FILE
    if not summary.is_file():
        return
    try:
        failed = json.loads(summary.read_text(encoding="utf-8")).get("failed") is True
    except (OSError, ValueError, AttributeError):
        return
    if failed:
        raise ReadError(
            str(folder),
            f"its conversion failed ({SUMMARY_FILE} says so): there is no data set to serve",
        )


def load_dataset(folder: str | Path) -> ServedDataset:
    """Load one output folder; a [`ReadError`][cdinterop.errors.ReadError] when it is not
    one (no ``dataset.json``, a failed conversion, an unreadable data set)."""
    path = Path(folder)
    if path.is_file() and path.name == DATASET_FILE:
        path = path.parent
    if not path.exists():
        raise ReadError(str(path), "no such folder")
    if not path.is_dir():
        raise ReadError(str(path), f"not a cdinterop output folder (a file); {_HOW}")
    _refuse_failed(path)
    dataset_file = path / DATASET_FILE
    if not dataset_file.is_file():
        raise ReadError(
            str(path), f"not a cdinterop output folder: it has no {DATASET_FILE}; {_HOW}"
        )
    try:
        dataset = load(dataset_file)
    except ReadError:
        raise
    except CdinteropError as exc:
        raise ReadError(str(dataset_file), f"not a valid cdinterop data set: {exc}") from None
    return ServedDataset(path, dataset)


def load_catalogue(folders: Iterable[str | Path]) -> ServedCatalogue:
    """Load every output folder; a dataflow (agency, id, version) served by two folders
    is refused, naming both."""
    loaded: list[ServedDataset] = []
    seen: dict[tuple[str, str, str], Path] = {}
    for folder in folders:
        served = load_dataset(folder)
        other = seen.get(served.flow_key)
        if other is not None:
            agency, id, version = served.flow_key
            raise ReadError(
                str(served.folder),
                f"the dataflow {agency}:{id}({version}) is already served from {other}",
            )
        seen[served.flow_key] = served.folder
        loaded.append(served)
    if not loaded:
        raise ReadError("<none>", f"no output folder given; {_HOW}")
    return ServedCatalogue(tuple(loaded))

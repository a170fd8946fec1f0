"""The structure a data message says it follows, checked against the structure it is read with.

Every SDMX data message names its structure: SDMX-ML 2.1 in the header's
``Structure/com:Structure/Ref`` (a DSD) or ``com:StructureUsage/Ref`` (a dataflow), or as a
``URN``; SDMX-ML 3.0 as URN text; SDMX-CSV 1.0 in its ``DATAFLOW`` column and SDMX-CSV 2.0 in
its ``STRUCTURE`` (``datastructure``, ``dataflow``, ``dataprovision``) and ``STRUCTURE_ID``
columns. Every reader hands those references to `check_references()`, which applies one rule:

* a DSD reference must name the structure's DSD; a dataflow reference the data set's
  dataflow (when the structure message defines one) or the DSD itself;
* a different agency or id is an error naming both references (the structure does not
  apply to the data);
* a different version of the same artefact is a `StructureVersionWarning` by default,
  or an error, or accepted silently (``version_mismatch``);
* a dataflow or provision agreement that the structure message does not define cannot be
  resolved: a `StructureReferenceWarning` says so, and the DSD is used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

from cdinterop.errors import Issue

if TYPE_CHECKING:
    from cdinterop.model import CitizenDataset

__all__ = [
    "ADVISORY_CODES",
    "VERSION_POLICIES",
    "ReferenceCheck",
    "StructureReference",
    "StructureReferenceWarning",
    "StructureVersionWarning",
    "VersionPolicy",
    "check_references",
    "parse_short_ref",
    "parse_urn",
    "structure_for",
]

VersionPolicy = Literal["warn", "error", "ignore"]
"""What a different version of the referenced structure does: ``warn`` (a
`StructureVersionWarning`), ``error`` (the data are invalid) or ``ignore``."""
VERSION_POLICIES: Final = ("warn", "error", "ignore")

MISMATCH: Final = "structure-mismatch"
"""Issue code: the data refer to another structure (agency or id)."""
VERSION: Final = "structure-version"
"""Issue code: the data refer to another version, and ``version_mismatch="error"``."""
VERSION_WARNING: Final = "structure-version-warning"
"""Issue code: the data refer to another version (a warning)."""
UNRESOLVED_WARNING: Final = "structure-unresolved-warning"
"""Issue code: a dataflow or provision agreement the structure message lacks (a warning)."""
ADVISORY_CODES: Final = frozenset({VERSION_WARNING, UNRESOLVED_WARNING})
"""Codes of the reference issues that are warnings: reported, but the data stay valid."""

_KINDS: Final = {
    "datastructure": ("datastructure.DataStructure", "DSD"),
    "dataflow": ("datastructure.Dataflow", "dataflow"),
    "dataprovision": ("registry.ProvisionAgreement", "provision agreement"),
}
_URN_CLASSES: Final = {cls: kind for kind, (cls, _) in _KINDS.items()}
_URN = re.compile(
    r"^urn:sdmx:org\.sdmx\.infomodel\.(?P<cls>\w+\.\w+)="
    r"(?P<agency>[^:()\s]+):(?P<id>[^:()\s]+)(?:\((?P<version>[^()\s]*)\))?$"
)
_SHORT = re.compile(r"^(?P<agency>[^:()\s]+):(?P<id>[^:()\s]+)(?:\((?P<version>[^()\s]*)\))?")


class StructureReferenceWarning(UserWarning):
    """The data's header names its structure in a way cdinterop accepted with a caveat: a
    dataflow (or provision agreement) that the structure message does not define, so the
    data were read with the message's DSD."""


class StructureVersionWarning(StructureReferenceWarning):
    """The data refer to another version of the structure's DSD or dataflow than the one
    they were read with (``version_mismatch="warn"``, the default)."""


@dataclass(frozen=True)
class StructureReference:
    """A data message's reference to its structure (a DSD, dataflow or provision agreement)."""

    kind: str
    """``datastructure``, ``dataflow`` or ``dataprovision``."""
    agency: str
    """Maintenance agency."""
    id: str
    """Artefact id."""
    version: str | None
    """Version, ``None`` when the reference leaves it out (the latest)."""
    where: str = ""
    """Where the reference is: ``file:line`` or a CSV row."""

    @property
    def text(self) -> str:
        """``AGENCY:ID(VERSION)``."""
        version = "" if self.version is None else f"({self.version})"
        return f"{self.agency}:{self.id}{version}"

    @property
    def label(self) -> str:
        """The kind and ``AGENCY:ID(VERSION)``, e.g. ``DSD ECB:ECB_EXR(1.0)``."""
        return f"{_KINDS.get(self.kind, (None, self.kind))[1]} {self.text}"

    @property
    def urn(self) -> str:
        """The URN of the referenced artefact."""
        cls = _KINDS.get(self.kind, _KINDS["datastructure"])[0]
        return f"urn:sdmx:org.sdmx.infomodel.{cls}={self.text}"


def parse_urn(text: str, where: str = "") -> StructureReference | None:
    """A reference from an SDMX URN of a DSD, dataflow or provision agreement; ``None`` for
    anything else."""
    match = _URN.match(text.strip())
    if match is None or match["cls"] not in _URN_CLASSES:
        return None
    return StructureReference(
        _URN_CLASSES[match["cls"]], match["agency"], match["id"], match["version"], where
    )


def parse_short_ref(kind: str, text: str, where: str = "") -> StructureReference | None:
    """A reference from ``AGENCY:ID(VERSION)`` (an SDMX-CSV ``DATAFLOW`` or ``STRUCTURE_ID``
    value, which may be followed by ``: name`` when labels are included)."""
    match = _SHORT.match(text.strip())
    if match is None or kind not in _KINDS:
        return None
    return StructureReference(kind, match["agency"], match["id"], match["version"], where)


@dataclass
class ReferenceCheck:
    """The outcome of `check_references()`."""

    errors: list[Issue] = field(default_factory=list)
    """Problems that make the data invalid."""
    warnings: list[Issue] = field(default_factory=list)
    """Caveats (codes in `ADVISORY_CODES`): the data were read all the same."""
    accepted: list[StructureReference] = field(default_factory=list)
    """The references accepted for the structure (its DSD, dataflow, another version)."""
    mismatch: bool = False
    """Some reference names another structure: the structure does not apply to the data."""


def _identity(agency: str, id_: str, version: str) -> str:
    return f"{agency}:{id_}({version})"


def check_references(
    references: Iterable[StructureReference],
    dataset: CitizenDataset,
    *,
    version_mismatch: VersionPolicy = "warn",
) -> ReferenceCheck:
    """Check the data's references against the structure of ``dataset``.

    The DSD is ``dataset.structure``; the data set's own identity is its dataflow when it
    differs from the DSD's (a structure message with a dataflow, or a data set cdinterop
    made), else the structure message had no dataflow and a dataflow reference cannot be
    resolved.
    """
    if version_mismatch not in VERSION_POLICIES:
        raise ValueError(
            f"version_mismatch must be one of {', '.join(VERSION_POLICIES)}, "
            f"not {version_mismatch!r}"
        )
    st = dataset.structure
    dsd = ("datastructure", st.agency, st.id, st.version)
    flow_known = (dataset.agency, dataset.id, dataset.version) != dsd[1:]
    flow = ("dataflow", dataset.agency, dataset.id, dataset.version) if flow_known else None
    check = ReferenceCheck()
    seen: set[tuple[str, str, str, str | None]] = set()
    for ref in references:
        key = (ref.kind, ref.agency, ref.id, ref.version)
        if key in seen:
            continue
        seen.add(key)
        target = _target(ref, dsd, flow)
        if target is None:
            if ref.kind == "datastructure" or (ref.kind == "dataflow" and flow is not None):
                check.mismatch = True
                check.errors.append(_mismatch(ref, dsd, flow))
            else:
                check.accepted.append(ref)
                check.warnings.append(
                    Issue(
                        ref.where,
                        UNRESOLVED_WARNING,
                        f"the data refer to {ref.label}, which the structure message does "
                        f"not define; they were read with its DSD "
                        f"{_identity(*dsd[1:])}",
                        ref.text,
                    )
                )
            continue
        check.accepted.append(ref)
        if ref.version is None or ref.version == target[3] or version_mismatch == "ignore":
            continue
        kind_label = _KINDS[target[0]][1]
        message = (
            f"the data refer to {ref.label}, but the structure is version {target[3]} of "
            f"that {kind_label} ({_identity(*target[1:])})"
        )
        if version_mismatch == "error":
            check.errors.append(Issue(ref.where, VERSION, message, ref.text))
        else:
            check.warnings.append(
                Issue(ref.where, VERSION_WARNING, message + f"; read with {target[3]}", ref.text)
            )
    return check


def _target(
    ref: StructureReference,
    dsd: tuple[str, str, str, str],
    flow: tuple[str, str, str, str] | None,
) -> tuple[str, str, str, str] | None:
    """The artefact ``ref`` names (same agency and id), or ``None``."""
    candidates = [dsd] if ref.kind == "datastructure" else [c for c in (flow, dsd) if c]
    for candidate in candidates:
        if (ref.agency, ref.id) == candidate[1:3]:
            return candidate
    return None


def _mismatch(
    ref: StructureReference,
    dsd: tuple[str, str, str, str],
    flow: tuple[str, str, str, str] | None,
) -> Issue:
    ours = f"DSD {_identity(*dsd[1:])}"
    if flow is not None and ref.kind != "datastructure":
        ours = f"dataflow {_identity(*flow[1:])} of {ours}"
    return Issue(
        ref.where,
        MISMATCH,
        f"the data refer to {ref.label}, but the structure given is {ours}: it does not "
        "apply to these data",
        ref.text,
    )


_DATAFLOW = re.compile(rb"<(?:[\w.-]+:)?Dataflow\b([^>]*)>")
_ID = re.compile(rb"""\sid\s*=\s*["']([^"']+)["']""")


def _dataflow_ids(source: str | Path | bytes) -> set[str]:
    """Ids of the dataflows a structure message defines (a scan, not a parse)."""
    if isinstance(source, bytes):
        data = source
    else:
        try:
            data = Path(source).read_bytes()
        except OSError:
            return set()  # reading the structure reports it
    from cdinterop.sdmx._structure_json import dataflow_ids, is_json

    if is_json(data):  # an SDMX-JSON structure message
        return dataflow_ids(data)
    ids = set()
    for match in _DATAFLOW.finditer(data):
        found = _ID.search(match.group(1))
        if found is not None:
            ids.add(found.group(1).decode("utf-8", "replace"))
    return ids


def structure_for(
    structure: CitizenDataset | str | Path | bytes, references: Iterable[StructureReference]
) -> CitizenDataset:
    """The data set (no observations) that data with these references are read with: a
    data set as given, else the structure message read with the dataflow the data refer
    to when the message defines it (else the dataflow a URN or URL of the structure names).
    A ``str`` that is an SDMX URN or URL is fetched (``cdinterop.sdmx.fetch_structure``)."""
    from cdinterop.model import CitizenDataset
    from cdinterop.sdmx._native import read_structure
    from cdinterop.sdmx._registry import read_remote

    if isinstance(structure, CitizenDataset):
        return structure
    flows = {r.id for r in references if r.kind == "dataflow"}

    def read(source: str | Path | bytes, named: str | None) -> CitizenDataset:
        dataflow = named
        if len(flows) == 1:
            (wanted,) = flows
            if wanted in _dataflow_ids(source):
                dataflow = wanted
        return read_structure(source, dataflow=dataflow)

    return read_remote(structure, read)

"""The structure a data message names is checked the same way by every reader.

Each data format names its structure differently (SDMX-ML header ``Ref`` or URN, the
DataSet's ``xsi:type`` namespace, SDMX-CSV 1.0 ``DATAFLOW``, 2.0 ``STRUCTURE`` and
``STRUCTURE_ID``); all go through one rule: another DSD or dataflow is an error naming
both, another version a warning (or an error, or nothing, as asked).
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cdinterop import sdmx
from cdinterop._cli import app
from cdinterop.checking import ADVISORY_CODES, failures
from cdinterop.errors import InvalidDatasetError, Issue
from cdinterop.model import CitizenDataset
from cdinterop.sdmx import _reference
from cdinterop.sdmx._reference import (
    StructureReference,
    check_references,
    parse_short_ref,
    parse_urn,
)

runner = CliRunner()
FORMATS = sorted(sdmx.FORMATS)


def _written(ds: CitizenDataset, fmt: str) -> bytes:
    buffer = io.BytesIO()
    sdmx.write(ds, buffer, format=fmt)
    return buffer.getvalue()


def _renamed(data: bytes, fmt: str, old: str, new: str) -> bytes:
    """The data with the structure they name changed (every place that names it)."""
    return data.replace(old.encode(), new.encode())


def test_urns_and_short_references() -> None:
    ref = parse_urn("urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=ECB:EXR(1.0)", "f:3")
    assert ref == StructureReference("dataflow", "ECB", "EXR", "1.0", "f:3")
    assert ref.label == "dataflow ECB:EXR(1.0)"
    assert ref.urn == "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=ECB:EXR(1.0)"
    dsd = parse_urn("urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=A:B(2.0.0)")
    assert dsd is not None and (dsd.kind, dsd.version) == ("datastructure", "2.0.0")
    assert parse_urn("urn:sdmx:org.sdmx.infomodel.codelist.Codelist=A:CL(1.0)") is None
    labelled = parse_short_ref("dataflow", "ESTAT:NA_MAIN(1.6.0): National accounts")
    assert labelled is not None and labelled.text == "ESTAT:NA_MAIN(1.6.0)"
    latest = parse_short_ref("datastructure", "AGENCY:DF_ID")
    assert latest is not None and latest.version is None
    assert parse_short_ref("metadataflow", "A:B(1.0)") is None


def _check(
    ds: CitizenDataset, *refs: StructureReference, policy: str = "warn"
) -> _reference.ReferenceCheck:
    return check_references(refs, ds, version_mismatch=policy)  # type: ignore[arg-type]


def test_the_rule(dataset: CitizenDataset) -> None:
    s = dataset.structure
    dsd = StructureReference("datastructure", s.agency, s.id, s.version, "here")
    assert _check(dataset, dsd).accepted == [dsd]
    flow = StructureReference("dataflow", dataset.agency, dataset.id, dataset.version)
    assert not _check(dataset, flow).errors
    # a dataflow reference that names the DSD (as some producers write SDMX-CSV 1.0)
    as_flow = StructureReference("dataflow", s.agency, s.id, s.version)
    assert not _check(dataset, as_flow).errors
    other = StructureReference("datastructure", "OTHER", s.id, s.version, "f:9")
    check = _check(dataset, other)
    assert check.mismatch
    (issue,) = check.errors
    assert issue.location == "f:9" and issue.code == "structure-mismatch"
    assert "DSD OTHER:DSD_TEST(1.0)" in issue.message and "DSD TEST:DSD_TEST(1.0)" in issue.message
    unknown_flow = StructureReference("dataflow", "TEST", "DF_OTHER", "1.0")
    (issue,) = _check(dataset, unknown_flow).errors
    assert "dataflow TEST:DF_OTHER(1.0)" in issue.message
    assert "dataflow TEST:DF_TEST(1.0)" in issue.message
    newer = StructureReference("datastructure", s.agency, s.id, "2.0")
    (warning,) = _check(dataset, newer).warnings
    assert warning.code == "structure-version-warning" and warning.code in ADVISORY_CODES
    (error,) = _check(dataset, newer, policy="error").errors
    assert error.code == "structure-version" and not failures([warning])
    assert _check(dataset, newer, policy="ignore") == _reference.ReferenceCheck(accepted=[newer])
    with pytest.raises(ValueError, match="version_mismatch"):
        _check(dataset, newer, policy="never")


def test_a_dataflow_the_structure_message_lacks_is_a_warning(dataset: CitizenDataset) -> None:
    """A data set whose identity is its DSD's came from a structure message without a
    dataflow: a dataflow reference cannot be resolved, and the DSD is used."""
    s = dataset.structure
    dsd_only = dataset.replace(id=s.id, agency=s.agency, version=s.version)
    for kind in ("dataflow", "dataprovision"):
        ref = StructureReference(kind, "X", "FLOW", "1.0")
        check = _check(dsd_only, ref)
        (warning,) = check.warnings
        assert not check.errors and warning.code == "structure-unresolved-warning"
        assert "X:FLOW(1.0)" in warning.message and "TEST:DSD_TEST(1.0)" in warning.message


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_reader_refuses_another_structure(dataset: CitizenDataset, fmt: str) -> None:
    data = _written(dataset, fmt)
    # the CSV writers name the dataflow, SDMX-ML the DSD
    old = "DF_TEST" if fmt.startswith("csv") else "DSD_TEST"
    with pytest.raises(InvalidDatasetError) as failure:
        sdmx.read(_renamed(data, fmt, old, "OTHER"), structure=dataset)
    issues = failure.value.issues
    assert {i.code for i in issues} == {"structure-mismatch"}
    assert "OTHER" in issues[0].message and f"TEST:{old}(1.0)" in issues[0].message


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_reader_warns_about_another_version(dataset: CitizenDataset, fmt: str) -> None:
    data = _renamed(_written(dataset, fmt), fmt, "(1.0)", "(1.1)")
    data = data.replace(b'version="1.0"', b'version="1.1"')
    with pytest.warns(sdmx.StructureVersionWarning, match=r"\(1\.1\)"):
        assert sdmx.read(data, structure=dataset) == dataset
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sdmx.read(data, structure=dataset, version_mismatch="ignore") == dataset
    with pytest.raises(InvalidDatasetError, match="structure-version"):
        sdmx.read(data, structure=dataset, version_mismatch="error")


def test_structure_message_picks_the_dataflow_the_data_name(
    dataset: CitizenDataset, tmp_path: Path
) -> None:
    """A structure message with several dataflows: the one the data name is used."""
    structure = tmp_path / "structure.xml"
    sdmx.write_structure(dataset, structure)
    text = structure.read_text(encoding="utf-8")
    start = text.index("<str:Dataflows>") + len("<str:Dataflows>")
    end = text.index("</str:Dataflows>")
    flow = text[start:end]
    second = flow.replace('id="DF_TEST"', 'id="DF_SECOND"').replace("DF_TEST", "DF_SECOND")
    structure.write_text(text[:end] + second + text[end:], encoding="utf-8")
    data = _written(dataset, "csv20").replace(b"DF_TEST", b"DF_SECOND")
    assert sdmx.read(data, structure=structure).id == "DF_SECOND"


def test_validate_reports_a_mismatch_alone(dataset: CitizenDataset, tmp_path: Path) -> None:
    folder = tmp_path / "sdmx"
    sdmx.write_all(dataset, folder, formats=["ml21-ss"])
    data = folder / "data-ml21-ss.xml"
    data.write_bytes(data.read_bytes().replace(b"DSD_TEST", b"OTHER"))
    result = runner.invoke(app, ["validate", str(data), "--json"])
    assert result.exit_code == 1
    assert '"structure-mismatch": 1' in result.stdout
    assert '"xsd"' not in result.stdout  # the structure does not apply: nothing else is said


def test_validate_warns_and_obeys_the_option(dataset: CitizenDataset, tmp_path: Path) -> None:
    folder = tmp_path / "sdmx"
    sdmx.write_all(dataset, folder, formats=["ml21-ss", "ml21-generic", "csv20"])
    for name in ("data-ml21-ss.xml", "data-ml21-generic.xml", "data-csv20.csv"):
        data = folder / name
        data.write_bytes(data.read_bytes().replace(b'version="1.0"', b'version="1.2"')
                         .replace(b"(1.0)", b"(1.2)"))  # fmt: skip
        result = runner.invoke(app, ["validate", str(data)])
        assert result.exit_code == 0, (name, result.output)
        assert "warning" in result.output
        strict = runner.invoke(app, ["validate", str(data), "--version-mismatch", "error"])
        assert strict.exit_code == 1, name
        quiet = runner.invoke(app, ["validate", str(data), "--version-mismatch", "ignore"])
        assert quiet.exit_code == 0 and "warning" not in quiet.output, name


def test_advisory_codes_cover_the_reference_warnings() -> None:
    assert _reference.ADVISORY_CODES <= ADVISORY_CODES
    assert failures([Issue("x", "structure-mismatch", "m")]) != []

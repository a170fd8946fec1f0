"""The shipped services example published against a NATIONAL SDG DSD that cdinterop did
not write (``ZW01:SDG(1.0)`` in ``../shared/real-world/sdmx/zimbabwe/``), the way an NSO
data engineer would run it::

    cdinterop convert SUBMISSION -m mappings/services-survey-kobo.yaml -o OUT \\
        --structure ZW01_SDG_structure.xml --conform mappings/services-satisfaction-to-zw-sdg.yaml

What must hold: ``cdinterop validate`` accepts every output file with the national
structure; the structure message written beside the data holds the national DSD, its
codelists and concept schemes unchanged (sdmx1's strict comparison, artefact by artefact,
and cdinterop's model); only the dataflow is cdinterop's, under the publisher's agency; and
sdmx1 and pysdmx read the data with the registry's ORIGINAL structure file.
"""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from typer.testing import CliRunner

import cdinterop
from cdinterop import sdmx
from cdinterop._cli import app

ROOT = Path(__file__).resolve().parents[1]
NATIONAL = ROOT.parent / "shared" / "real-world" / "sdmx" / "zimbabwe" / "ZW01_SDG_structure.xml"
SUBMISSION = ROOT / "examples" / "public-services-satisfaction" / "submissions-kobo.csv"
SPEC = ROOT / "mappings" / "services-survey-kobo.yaml"
CONFORM = ROOT / "mappings" / "services-satisfaction-to-zw-sdg.yaml"
KEY = "a-long-secret-key-for-the-tests"
runner = CliRunner()

pytestmark = pytest.mark.skipif(
    not NATIONAL.is_file(),
    reason=f"the national SDG DSD is not at {NATIONAL} (../shared/real-world is absent)",
)


@cache
def _converted(base: str) -> Path:
    out = Path(base) / "zw"
    args = ["convert", str(SUBMISSION), "-m", str(SPEC), "-o", str(out), "--to", "sdmx"]
    args += ["--structure", str(NATIONAL), "--conform", str(CONFORM)]
    result = runner.invoke(app, args, env={"CDINTEROP_PSEUDONYM_KEY": KEY})
    assert result.exit_code == 0, result.output
    assert "sdmx/structure-3.0.xml not written" in " ".join(result.output.split())
    return out


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _converted(str(tmp_path_factory.mktemp("national")))


def test_every_output_validates_with_the_national_structure(out: Path) -> None:
    files = sorted((out / "sdmx").iterdir())
    assert any(f.name.startswith("data-") for f in files)
    for path in files:
        args = ["validate", str(path)]
        if path.name.startswith("data-"):
            args += ["--structure", str(NATIONAL)]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (path.name, result.output)


def _without_urns(data: bytes) -> bytes:
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    for node in root.iter():
        if isinstance(node.tag, str):
            node.attrib.pop("urn", None)
    return bytes(etree.tostring(root))


def _sdmx1(data: bytes) -> Any:
    import sdmx as sdmx1

    return sdmx1.read_sdmx(io.BytesIO(_without_urns(data)), format="XML")


def test_structure_beside_the_data_is_the_national_dsd_unchanged(out: Path) -> None:
    original = _sdmx1(NATIONAL.read_bytes())
    written = _sdmx1((out / "sdmx" / "structure-2.1.xml").read_bytes())
    compared = []
    for kind in ("codelist", "concept_scheme", "structure"):
        theirs, ours = getattr(original, kind), getattr(written, kind)
        assert set(ours) == set(theirs), kind  # nothing added, nothing left out
        for key, artefact in theirs.items():
            assert artefact.compare(ours[key], strict=True), f"{kind} {key} differs"
            if str(getattr(artefact.maintainer, "id", "")) != "(missing id)":
                compared.append(key)  # (sdmx1 adds stubs for parents named before defined)
    assert len(compared) == 22  # 20 codelists, SDG_CONCEPTS, the DSD
    # the only artefact of cdinterop's: the dataflow, under the publisher's agency
    flows = list(written.dataflow.values())
    assert [(f.maintainer.id, f.id) for f in flows] == [("KE.SAUTI", "DF_ZW_SDG_SP_PSR_SATIS_KE")]
    assert flows[0].structure.id == "SDG" and flows[0].structure.maintainer.id == "ZW01"


def test_model_of_the_written_structure_equals_the_national_dsd(out: Path) -> None:
    national = sdmx.read_structure(NATIONAL).structure
    assert sdmx.read_structure(out / "sdmx" / "structure-2.1.xml").structure == national
    assert cdinterop.load(out / "dataset.json").structure == national


def test_sdmx_ml_3_0_structure_left_out_and_why(out: Path) -> None:
    """The national area codelist has numeric parents (M49 regions), which SDMX-ML 3.0.0's
    schema cannot state (Code/Parent is an NCName there): no invalid 3.0 file is written."""
    assert not (out / "sdmx" / "structure-3.0.xml").exists()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert "NCName" in summary["sdmx_left_out"]["structure-3.0.xml"]  # says why
    assert "ZW01:CL_AREA(1.0)" in summary["sdmx_left_out"]["structure-3.0.xml"]
    national = sdmx.read_structure(NATIONAL)
    with pytest.raises(cdinterop.errors.WriteError, match=r"cannot be written as valid 3\.0"):
        sdmx.write_structure(national, io.BytesIO(), version="3.0")


@pytest.mark.parametrize(
    "name", ["data-ml21-ss.xml", "data-ml21-generic.xml", "data-ml30-ss.xml", "data-csv20.csv"]
)
def test_pysdmx_reads_the_data_with_the_registry_structure(out: Path, name: str) -> None:
    pysdmx_io = pytest.importorskip("pysdmx.io")
    expected = len(cdinterop.load(out / "dataset.json").observations)
    datasets = pysdmx_io.get_datasets(out / "sdmx" / name, NATIONAL)
    assert len(datasets[0].data) == expected


def test_sdmx1_reads_the_data_with_the_registry_structure(out: Path) -> None:
    import sdmx as sdmx1

    dsd = next(iter(sdmx1.read_sdmx(NATIONAL).structure.values()))
    expected = len(cdinterop.load(out / "dataset.json").observations)
    for name in ("data-ml21-ss.xml", "data-ml21-generic.xml"):
        data = sdmx1.read_sdmx(out / "sdmx" / name, structure=dsd)
        assert len(data.data[0].obs) == expected, name


def test_the_national_output_passes_its_audit(out: Path) -> None:
    """The disclosure record follows the mapping (the limitation of the last release:
    `cdinterop audit` failed on the source's dimensions): SEX and DISABILITY_STATUS keep
    their relations (every code carried), REF_AREA, AGE and SERVICE lose theirs (counties,
    30-44 and the per-service rows dropped); percentages only, so nothing adds up."""
    record = cdinterop.load(out / "dataset.json").disclosure
    assert record is not None
    assert record.totals == {"SEX": "_T", "DISABILITY_STATUS": "_T"}
    assert record.contributor_count is None  # SAMPLE_SIZE is not carried
    result = runner.invoke(app, ["audit", str(out), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] and not report["problems"]
    assert any("nothing published adds up" in note for note in report["notes"])

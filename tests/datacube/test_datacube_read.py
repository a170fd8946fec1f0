"""Reading a cube back gives the structure it carries, the data-set attribute values and
the observations, as written; files that are no cube are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdinterop import datacube, limits
from cdinterop.errors import ReadError
from cdinterop.model import CitizenDataset, Codelist, Dimension


@pytest.mark.parametrize("suffix", [".nt", ".ttl"])
def test_examples_come_back(example: CitizenDataset, tmp_path: Path, suffix: str) -> None:
    cube = datacube.read(datacube.write(example, tmp_path / f"cube{suffix}"))
    assert cube.dataset_id == example.id
    assert cube.title == example.title
    assert cube.iri == datacube.dataset_iri(example)
    assert cube.structure == datacube.carried_structure(example.structure)
    assert cube.observations == example.observations
    assert cube.attribute_values == example.attribute_values


def test_escapes_codes_and_missing_values_come_back(small: CitizenDataset, tmp_path: Path) -> None:
    for name in ("cube.nt", "cube.ttl"):
        cube = datacube.read(datacube.write(small, tmp_path / name))
        assert cube.observations.to_records() == small.observations.to_records()
        assert cube.observations.table.schema == small.observations.table.schema
        assert cube.attribute_values == {"FLAG": True}
        assert [c.id for c in cube.structure.codelist("CL_AREA").codes] == ["GH", "GH-AA", "X@1"]
        assert cube.structure.codelist("CL_AREA").get("X@1").parent == "GH-AA"  # type: ignore[union-attr]


def test_what_is_not_carried_is_left_out(marine: CitizenDataset, tmp_path: Path) -> None:
    cube = datacube.read(datacube.write(marine, tmp_path / "cube.nt"))
    nature = cube.structure.component("NATURE")
    assert marine.structure.component("NATURE").attachment == "series"  # type: ignore[union-attr]
    assert nature.attachment == "observation"  # type: ignore[union-attr]


def test_a_file_without_a_data_set_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.nt"
    path.write_text("<http://a/s> <http://a/p> <http://a/o> .\n", encoding="utf-8")
    with pytest.raises(ReadError, match="one qb:DataSet, this one 0"):
        datacube.read(path)


def test_two_data_sets_are_refused(small: CitizenDataset, tmp_path: Path) -> None:
    path = datacube.write(small, tmp_path / "cube.nt")
    with path.open("a", encoding="utf-8") as handle:
        handle.write(
            "<http://a/ds> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
            "<http://purl.org/linked-data/cube#DataSet> .\n"
        )
    with pytest.raises(ReadError, match="this one 2"):
        datacube.read(path)


def test_syntax_errors_and_other_formats_are_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix x: <http://a/> .\nx:s x:p ", encoding="utf-8")
    with pytest.raises(ReadError, match="not valid turtle"):
        datacube.read(broken)
    xml = tmp_path / "cube.rdf"
    xml.write_text("<rdf:RDF/>", encoding="utf-8")
    with pytest.raises(ReadError, match=r"N-Triples \(.nt\) or Turtle"):
        datacube.read(xml)
    with pytest.raises(ReadError, match="no such file"):
        datacube.read(tmp_path / "absent.nt")


def test_a_foreign_code_is_refused(small: CitizenDataset, tmp_path: Path) -> None:
    path = datacube.write(small, tmp_path / "cube.nt")
    text = path.read_text(encoding="utf-8")
    code = "/codelist/TEST/CL_AREA/1.0/GH>"
    assert text.count(code) > 1
    last = text.rindex(code)  # in the observations, which come last
    path.write_text(text[:last] + "/elsewhere/GH>" + text[last + len(code) :], encoding="utf-8")
    with pytest.raises(ReadError, match="is not a code of TEST:CL_AREA"):
        datacube.read(path)


def test_an_external_code_list_keeps_its_values(small: CitizenDataset, tmp_path: Path) -> None:
    structure = small.structure
    external = Codelist(id="CL_SITE", agency="OTHER", name={"en": "Sites"}, external=True)
    site = Dimension(id="SITE", codelist=external.ref)
    changed = structure.model_copy(
        update={
            "codelists": (*structure.codelists, external),
            "dimensions": (structure.dimensions[0], site),
        }
    )
    rows = [{**r, "SITE": f"S@{r['SITE']}"} for r in small.observations.to_records()]
    ds = small.replace(structure=changed, observations=rows)
    cube = datacube.read(datacube.write(ds, tmp_path / "cube.ttl"))
    assert cube.structure.codelist("CL_SITE").external
    assert cube.observations.to_records() == ds.observations.to_records()
    assert datacube.integrity_violations(tmp_path / "cube.ttl") == []


def test_the_stream_is_the_file(small: CitizenDataset, tmp_path: Path) -> None:
    path = datacube.write(small, tmp_path / "cube.nt")
    streamed = b"".join(bytes(chunk) for chunk in datacube.iter_ntriples(small, batch_rows=2))
    assert streamed == path.read_bytes()


def test_the_rows_limit_applies(small: CitizenDataset, tmp_path: Path) -> None:
    path = datacube.write(small, tmp_path / "cube.nt")
    with limits.use(rows=2), pytest.raises(limits.LimitExceeded, match="3 observations"):
        datacube.read(path)


def test_a_data_set_without_observations(marine: CitizenDataset, tmp_path: Path) -> None:
    empty = marine.replace(observations=[])
    path = datacube.write(empty, tmp_path / "cube.ttl")
    cube = datacube.read(path)
    assert len(cube.observations) == 0
    assert cube.observations == empty.observations
    assert cube.attribute_values == marine.attribute_values
    assert datacube.integrity_violations(path) == []

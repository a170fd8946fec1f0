"""Concept roles (SDMX ``ConceptRole``) and maintainable references survive every SDMX form
cdinterop writes: SDMX-ML 2.1 and 3.0 structure messages (valid against the official XSDs)
and sdmx1 objects."""

from __future__ import annotations

import io

import pytest

import cdinterop
from cdinterop import sdmx
from cdinterop.errors import InvalidDatasetError
from cdinterop.model import (
    Attribute,
    CitizenDataset,
    DataStructure,
    Dimension,
    Measure,
    TimeDimension,
    format_ref,
    parse_ref,
)
from cdinterop.sdmx._xsd_validation import validate_official

ROLES = "SDMX:COMPONENT_ROLES(1.0)"
EXAMPLE = "examples/public-services-satisfaction/dataset.json"


def _with_roles(ds: CitizenDataset) -> CitizenDataset:
    st = ds.structure
    dims = list(st.dimensions)
    dims[0] = dims[0].model_copy(update={"roles": (f"{ROLES}.FREQUENCY",)})
    attrs = list(st.attributes)
    attrs[0] = attrs[0].model_copy(update={"roles": (f"{ROLES}.STATUS", f"{ROLES}.QUALITY")})
    measures = [st.measures[0].model_copy(update={"roles": (f"{ROLES}.PRIMARY",)})]
    update: dict[str, object] = {"dimensions": dims, "attributes": attrs, "measures": measures}
    return ds.replace(structure=DataStructure.model_validate({**st.model_dump(), **update}))


@pytest.fixture(scope="module")
def dataset() -> CitizenDataset:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    return _with_roles(cdinterop.load(root / EXAMPLE))


@pytest.mark.parametrize("version", ["2.1", "3.0"])
def test_roles_round_trip_through_structure_messages(dataset: CitizenDataset, version: str) -> None:
    buffer = io.BytesIO()
    sdmx.write_structure(dataset, buffer, version=version)
    data = buffer.getvalue()
    assert validate_official(data, version=version) == []
    assert b"ConceptRole" in data
    again = sdmx.read_structure(data).structure
    assert again == dataset.structure
    assert again.measures[0].roles == (f"{ROLES}.PRIMARY",)  # 2.1: in cdinterop's note


def test_roles_round_trip_through_sdmx1_objects() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    ds = _with_roles(cdinterop.load(root / EXAMPLE))
    again = sdmx.from_structure(sdmx.to_structure(ds))
    assert again.structure == ds.structure


def test_a_role_must_name_a_concept_of_a_scheme() -> None:
    with pytest.raises(ValueError, match="String should match pattern"):
        Dimension(id="FREQ", roles=("FREQUENCY",))
    assert Attribute(id="A", roles=(f"{ROLES}.X",)).roles == (f"{ROLES}.X",)
    assert Measure(roles=()).roles == ()
    with pytest.raises(ValueError, match="Extra inputs"):  # SDMX gives the time dimension none
        TimeDimension.model_validate({"roles": [f"{ROLES}.TIME"]})


def test_references_parse_and_format() -> None:
    ref = parse_ref("IAEG-SDGs:SDG_CONCEPTS(1.0).SEX")
    assert ref is not None
    assert (ref.agency, ref.id, ref.version, ref.item) == (
        "IAEG-SDGs",
        "SDG_CONCEPTS",
        "1.0",
        "SEX",
    )
    assert format_ref(*ref) == "IAEG-SDGs:SDG_CONCEPTS(1.0).SEX"
    assert parse_ref("CL_SEX") is None


def test_ambiguous_codelist_id_is_refused_with_both_refs() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    ds = cdinterop.load(root / EXAMPLE)
    st = ds.structure
    twin = st.codelist("CL_SEX").model_copy(update={"agency": "OTHER"})
    with pytest.raises((ValueError, InvalidDatasetError), match=r"CL_SEX.*ambiguous"):
        DataStructure.model_validate({**st.model_dump(), "codelists": [*st.codelists, twin]})

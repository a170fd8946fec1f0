"""Structures that registries and agencies publish, read and written back unchanged.

The files are in ``../shared/real-world/`` and ``../shared/standards/`` (see their README);
the tests skip, naming what is missing, in a plain clone.

The oracle is sdmx1's own strict artefact comparison (``compare(strict=True)``): every
codelist, concept scheme and DSD of the published message is compared with the artefact
of the same id in the message cdinterop writes, annotations, codes, parents, facets,
representations and attribute relationships included. ``urn`` XML attributes are removed
from both documents first: SDMX makes them optional and derives them from the identity,
and cdinterop writes them on every identifiable artefact where some publishers write none.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from cdinterop import sdmx
from cdinterop.errors import WriteError
from cdinterop.model import DataStructure
from cdinterop.sdmx._structure_xml import structure_problem

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
REAL = SHARED / "real-world" / "sdmx"

STRUCTURES = {
    "sdg-global": (SHARED / "standards" / "sdmx" / "IAEG-SDGs_SDG_1.0_structure.xml", "2.1"),
    "zimbabwe": (REAL / "zimbabwe" / "ZW01_SDG_structure.xml", "2.1"),
    "ecb-ng": (REAL / "ecb-exr-2.1" / "ng-structure-full.xml", "2.1"),
    "ecb-rg": (REAL / "ecb-exr-2.1" / "rg-structure-full.xml", "2.1"),
    "ecb-sg": (REAL / "ecb-exr-2.1" / "sg-structure-full.xml", "2.1"),
    "ecb-ng-stub": (REAL / "ecb-exr-2.1" / "ng-structure.xml", "2.1"),
    "ecb-1": (REAL / "ecb-exr-2.1" / "1" / "structure-full.xml", "2.1"),
    "ecb-1-stub": (REAL / "ecb-exr-2.1" / "1" / "structure.xml", "2.1"),
    "ecb-3.0": (REAL / "ecb-exr-3.0" / "v3" / "xml" / "ECB_EXR1.xml", "3.0"),
}


def _path(name: str) -> Path:
    path, _ = STRUCTURES[name]
    if not path.is_file():
        pytest.skip(
            f"{path} is absent (the real-world corpus lives in ../shared beside the project)"
        )
    return path


def _without_urns(data: bytes) -> bytes:
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    for node in root.iter():
        if isinstance(node.tag, str) and "urn" in node.attrib:
            del node.attrib["urn"]
    return bytes(etree.tostring(root))


def _sdmx1(data: bytes) -> Any:
    import sdmx as sdmx1
    from cdinterop.sdmx._native import _import_sdmx1_v30_reader

    _import_sdmx1_v30_reader()
    return sdmx1.read_sdmx(io.BytesIO(_without_urns(data)), format="XML")


def _written(name: str, version: str) -> bytes:
    buffer = io.BytesIO()
    sdmx.write_structure(sdmx.read_structure(_path(name)), buffer, version=version)
    return buffer.getvalue()


@pytest.mark.parametrize("name", STRUCTURES)
def test_reads_and_writes_back_equal_in_the_model(name: str) -> None:
    """read(write(read(x))) == read(x), in both SDMX-ML versions."""
    original = sdmx.read_structure(_path(name)).structure
    for version in ("2.1", "3.0"):
        problem = structure_problem(original, version)
        if problem is not None:
            with pytest.raises(WriteError, match="cannot be written as valid"):
                _written(name, version)
            continue
        again = sdmx.read_structure(_written(name, version)).structure
        if version != STRUCTURES[name][1]:
            # SDMX-ML 3.0 has no attachmentGroup, 2.1 no isFinal-free maintainables:
            # compare what both versions state
            again, original_cmp = _comparable(again), _comparable(original)
        else:
            original_cmp = original
        assert again == original_cmp, version


def _comparable(st: DataStructure) -> DataStructure:
    attrs = tuple(
        a.model_copy(update={"group": None}) if a.dimensions is not None else a
        for a in st.attributes
    )
    codelists = tuple(c.model_copy(update={"final": False}) for c in st.codelists)
    schemes = tuple(s.model_copy(update={"final": False}) for s in st.concept_schemes)
    return st.model_copy(
        update={
            "attributes": attrs,
            "codelists": codelists,
            "concept_schemes": schemes,
            "final": False,
        }
    )


SDMX1_LOSES_URI = pytest.mark.xfail(
    strict=True,
    reason="sdmx1 2.28 drops a DSD's uri when a dataflow referencing the DSD comes first, as "
    "SDMX-ML 2.1 orders them; cdinterop's reader keeps it (see the model-level test)",
)


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=SDMX1_LOSES_URI) if n == "ecb-1-stub" else n for n in STRUCTURES],
)
def test_artefacts_written_back_unchanged_for_sdmx1(name: str) -> None:
    """Every codelist, concept scheme and DSD of the published message is, for sdmx1,
    strictly identical in what cdinterop writes in the same SDMX-ML version."""
    path = _path(name)
    version = STRUCTURES[name][1]
    original = _sdmx1(path.read_bytes())
    written = _sdmx1(_written(name, version))
    compared = 0
    for kind in ("codelist", "concept_scheme", "structure"):
        theirs, ours = getattr(original, kind), getattr(written, kind)
        for key, artefact in theirs.items():
            if getattr(artefact, "is_external_reference", False):
                continue  # referenced, not included: cdinterop references it too
            assert key in ours, f"{kind} {key} missing"
            assert artefact.compare(ours[key], strict=True), f"{kind} {key} differs"
            compared += 1
    assert compared >= 1


def test_same_id_codelists_of_two_agencies_round_trip() -> None:
    """A national DSD holding an IAEG-SDGs and a national codelist with the same id."""
    path = _path("zimbabwe")
    ds = sdmx.read_structure(path)
    st = ds.structure
    national = st.codelist("CL_COMP_BREAKDOWN").model_copy(
        update={"agency": "ZW01", "version": "1.0", "final": False}
    )
    global_ref = st.codelist("CL_COMP_BREAKDOWN").ref

    def global_(item: Any) -> Any:
        if item.codelist == "CL_COMP_BREAKDOWN":
            return item.model_copy(update={"codelist": global_ref})
        return item

    both = DataStructure.model_validate(
        {
            **st.model_dump(),
            "codelists": [*st.codelists, national],
            "concepts": [global_(c) for c in st.concepts],
            "dimensions": [global_(d) for d in st.dimensions],
            "attributes": [global_(a) for a in st.attributes],
        }
    )
    with pytest.raises(KeyError, match="ambiguous"):
        both.codelist("CL_COMP_BREAKDOWN")
    assert {c.ref for c in both.codelists if c.id == "CL_COMP_BREAKDOWN"} == {
        global_ref,
        "ZW01:CL_COMP_BREAKDOWN(1.0)",
    }
    with_both = ds.replace(structure=both)
    for version in ("2.1", "3.0"):
        if structure_problem(both, version) is not None:  # numeric parents (M49) in 3.0.0
            continue
        buffer = io.BytesIO()
        sdmx.write_structure(with_both, buffer, version=version)
        again = sdmx.read_structure(buffer.getvalue()).structure
        assert {c.ref for c in again.codelists if c.id == "CL_COMP_BREAKDOWN"} == {
            global_ref,
            "ZW01:CL_COMP_BREAKDOWN(1.0)",
        }
        want = both.codelist(global_ref)
        if version == "3.0":  # SDMX-ML 3.0 has no isFinal
            want = want.model_copy(update={"final": False})
        assert again.codelist(global_ref) == want

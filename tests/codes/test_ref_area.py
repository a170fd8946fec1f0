"""Reference-area codelists and code conversion (pycountry, UN M49)."""

from __future__ import annotations

import subprocess
import sys

import pytest

import cdinterop.codes
from cdinterop.codes import (
    REF_AREA,
    UnknownAreaError,
    area_name,
    ref_area_codelist,
    subdivisions,
    to_alpha2,
    to_alpha3,
    to_m49,
)
from cdinterop.codes import _ref_area as ref_area_module
from cdinterop.model import M49_REGIONS, AreaScheme, Codelist


def test_conversions_between_schemes() -> None:
    assert to_alpha3("GH") == "GHA"
    assert to_alpha3("288") == "GHA"
    assert to_alpha2("GHA") == "GH"
    assert to_alpha2("288") == "GH"
    assert to_m49("GHA") == "288"
    assert to_m49("GH") == "288"
    assert to_m49("KEN") == "404"


def test_leading_zeros_are_kept_and_restored() -> None:
    assert to_m49("AF") == "004"
    assert to_m49("AFG") == "004"
    assert to_alpha3("004") == "AFG"
    assert to_alpha3("4") == "AFG"
    assert to_alpha3(4) == "AFG"
    assert to_m49(4) == "004"


def test_input_is_case_insensitive() -> None:
    assert to_alpha3("gh") == "GHA"
    assert to_alpha2(" gha ") == "GH"


def test_regions_convert_only_to_m49() -> None:
    assert to_m49("002") == "002"
    assert to_m49(2) == "002"
    assert to_m49("202") == "202"
    with pytest.raises(KeyError, match="region 'Africa'"):
        to_alpha3("002")
    with pytest.raises(KeyError, match="region"):
        to_alpha2("001")


@pytest.mark.parametrize("code", ["XX", "XXX", "999", "", "GHAA", -1])
@pytest.mark.parametrize("convert", [to_alpha2, to_alpha3, to_m49])
def test_unknown_codes_raise_key_error(convert: object, code: str | int) -> None:
    with pytest.raises(KeyError, match=r"not an ISO 3166-1 country code|not a reference-area"):
        convert(code)  # type: ignore[operator]


def test_subdivision_is_not_a_country() -> None:
    with pytest.raises(UnknownAreaError, match="subdivision of Ghana"):
        to_alpha3("GH-AA")
    with pytest.raises(KeyError):
        to_m49("GH-AA")


def test_error_message_prints_cleanly() -> None:
    with pytest.raises(UnknownAreaError) as info:
        to_alpha3("XX")
    assert str(info.value).startswith("'XX' is not an ISO 3166-1 country code")


def test_area_names() -> None:
    assert area_name("GH") == "Ghana"
    assert area_name("GHA") == "Ghana"
    assert area_name("288") == "Ghana"
    assert area_name("GH-AA") == "Greater Accra"
    assert area_name("002") == "Africa"
    assert area_name("001") == "World"
    assert area_name("202") == "Sub-Saharan Africa"
    with pytest.raises(KeyError):
        area_name("ZZ-99")


def test_m49_regions_do_not_clash_with_country_codes() -> None:
    for code in M49_REGIONS:
        with pytest.raises(KeyError):
            to_alpha2(code)


def test_default_ref_area_is_alpha3() -> None:
    assert REF_AREA is ref_area_codelist()
    assert REF_AREA.id == "CL_AREA_ALPHA3"
    assert REF_AREA.agency == "ISO"
    assert "GHA" in REF_AREA
    assert "GH" not in REF_AREA
    assert REF_AREA.get("GHA").name == {"en": "Ghana"}  # type: ignore[union-attr]
    assert len(REF_AREA) == 249
    assert all(len(code) == 3 and code.isalpha() for code in REF_AREA.code_ids)
    assert cdinterop.codes.REF_AREA is REF_AREA


@pytest.mark.parametrize(
    ("scheme", "codelist_id", "ghana"),
    [
        (AreaScheme.ALPHA2, "CL_AREA_ALPHA2", "GH"),
        (AreaScheme.ALPHA3, "CL_AREA_ALPHA3", "GHA"),
        (AreaScheme.M49, "CL_AREA_M49", "288"),
        ("m49", "CL_AREA_M49", "288"),
    ],
)
def test_schemes(scheme: AreaScheme | str, codelist_id: str, ghana: str) -> None:
    codelist = ref_area_codelist(scheme)
    assert codelist.id == codelist_id
    assert ghana in codelist
    assert len(codelist) == 249
    assert Codelist.model_validate_json(codelist.model_dump_json()) == codelist


def test_m49_codelist_keeps_leading_zeros() -> None:
    m49 = ref_area_codelist(AreaScheme.M49)
    assert "004" in m49
    assert "4" not in m49
    assert m49.agency == "UNSD"
    assert "002" not in m49


def test_m49_with_regions() -> None:
    m49 = ref_area_codelist(AreaScheme.M49, regions=True)
    assert set(M49_REGIONS) <= m49.code_ids
    assert len(m49) == 249 + len(M49_REGIONS)
    assert m49.get("001").parent is None  # type: ignore[union-attr]
    assert m49.get("002").parent == "001"  # type: ignore[union-attr]
    assert m49.get("011").parent == "202"  # type: ignore[union-attr]
    assert m49.get("202").parent == "002"  # type: ignore[union-attr]
    assert m49.get("011").name == {"en": "Western Africa"}  # type: ignore[union-attr]


def test_regions_only_in_m49() -> None:
    with pytest.raises(ValueError, match="numeric codes"):
        ref_area_codelist(AreaScheme.ALPHA3, regions=True)
    with pytest.raises(ValueError, match="subdivisions"):
        ref_area_codelist(AreaScheme.SUBDIVISION)


def test_subdivisions_of_one_country() -> None:
    codelist = ref_area_codelist(subdivisions_of="GH")
    assert "GH-AA" in codelist
    assert codelist.get("GH-AA").parent == "GHA"  # type: ignore[union-attr]
    assert codelist.get("GH-AA").name == {"en": "Greater Accra"}  # type: ignore[union-attr]
    assert len(codelist) == 249 + 16
    assert "KE-01" not in codelist


def test_subdivision_parent_follows_scheme_and_nesting() -> None:
    codelist = ref_area_codelist(AreaScheme.M49, subdivisions_of=["GHA", "826", "GH"])
    assert codelist.get("GH-AA").parent == "288"  # type: ignore[union-attr]
    assert codelist.get("GB-ENG").parent == "826"  # type: ignore[union-attr]
    assert codelist.get("GB-BRC").parent == "GB-ENG"  # type: ignore[union-attr]


def test_subdivisions_of_unknown_country() -> None:
    with pytest.raises(KeyError):
        ref_area_codelist(subdivisions_of="XX")


def test_subdivisions() -> None:
    ghana = subdivisions("GH")
    assert ghana.id == "CL_SUBDIVISIONS_GH"
    assert ghana.agency == "ISO"
    assert "GH-AA" in ghana
    assert "GH-AH" in ghana
    assert len(ghana) == 16
    assert all(code.parent is None for code in ghana.codes)
    assert subdivisions("GHA") is ghana
    assert subdivisions(288) is ghana
    uk = subdivisions("GB")
    assert uk.get("GB-BRC").parent == "GB-ENG"  # type: ignore[union-attr]


def test_subdivisions_errors() -> None:
    with pytest.raises(KeyError):
        subdivisions("XX")
    with pytest.raises(ValueError, match="no ISO 3166-2 subdivisions"):
        subdivisions("AQ")


def test_version_is_valid_and_shared() -> None:
    assert REF_AREA.version == subdivisions("GH").version
    assert REF_AREA.version[0].isdigit()


def test_unknown_module_attribute() -> None:
    with pytest.raises(AttributeError):
        _ = cdinterop.codes.NOT_A_CODELIST
    with pytest.raises(AttributeError):
        _ = ref_area_module.NOT_A_CODELIST
    assert "REF_AREA" in dir(cdinterop.codes)


def test_import_does_not_load_pycountry_databases() -> None:
    script = (
        "import pycountry, cdinterop.codes;"
        "assert not pycountry.countries._is_loaded;"
        "assert not pycountry.subdivisions._is_loaded;"
        "cdinterop.codes.REF_AREA;"
        "assert pycountry.countries._is_loaded"
    )
    subprocess.run([sys.executable, "-c", script], check=True)

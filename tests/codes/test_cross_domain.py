"""The SDMX cross-domain / SDG codelists and the age-band helpers."""

from __future__ import annotations

import pytest

from cdinterop import codes
from cdinterop.codes import (
    AGE,
    CONF_STATUS,
    CROSS_DOMAIN_CODELISTS,
    DISABILITY_STATUS,
    FREQ,
    NATURE,
    OBS_STATUS,
    SEX,
    UNIT_MULT,
    URBANISATION,
    age_band,
    age_codelist,
    age_name,
    is_age_code,
    parse_age_code,
)
from cdinterop.model import Code, Codelist, DataStructure, Dimension, Frequency

EXPECTED_IDS = {
    "CL_SEX": SEX,
    "CL_AGE": AGE,
    "CL_OBS_STATUS": OBS_STATUS,
    "CL_CONF_STATUS": CONF_STATUS,
    "CL_UNIT_MULT": UNIT_MULT,
    "CL_FREQ": FREQ,
    "CL_NATURE": NATURE,
    "CL_URBANISATION": URBANISATION,
    "CL_DISABILITY_STATUS": DISABILITY_STATUS,
}


@pytest.mark.parametrize("codelist_id", sorted(EXPECTED_IDS))
def test_builtin_codelists_validate_and_round_trip(codelist_id: str) -> None:
    codelist = EXPECTED_IDS[codelist_id]
    assert codelist.id == codelist_id
    assert codelist.agency == "SDMX"
    assert CROSS_DOMAIN_CODELISTS[codelist_id] is codelist
    again = Codelist.model_validate(codelist.model_dump())
    assert again == codelist
    assert Codelist.model_validate_json(codelist.model_dump_json()) == codelist
    for code in codelist.codes:
        assert code.name["en"].strip()
        assert code.name.get("fr", "x").strip()


def test_registry_holds_exactly_the_nine_lists() -> None:
    assert set(CROSS_DOMAIN_CODELISTS) == set(EXPECTED_IDS)
    with pytest.raises(TypeError):
        CROSS_DOMAIN_CODELISTS["CL_X"] = SEX  # type: ignore[index]


def test_sex_codes() -> None:
    assert [c.id for c in SEX.codes] == ["F", "M", "_T", "_O", "_U", "_Z"]
    assert SEX.get("F") == Code(id="F", name={"en": "Female", "fr": "Féminin"})
    assert SEX.get("_T") is not None and SEX.get("_T").name["en"] == "Total"  # type: ignore[union-attr]
    assert "X" not in SEX


def test_freq_matches_the_frequency_enum() -> None:
    assert [c.id for c in FREQ.codes] == [member.value for member in Frequency]
    assert FREQ.code_ids == {f.value for f in Frequency}
    names = {c.id: c.name["en"] for c in FREQ.codes}
    assert names["A"] == "Annual"
    assert names["Q"] == "Quarterly"
    assert names["M"] == "Monthly"
    assert names["B"] == "Daily \N{EN DASH} business week"
    assert names["N"] == "Minutely"


def test_obs_status_codes() -> None:
    assert OBS_STATUS.code_ids == set("ABDEFGHIJKLMNOPQSUVW")
    names = {c.id: c.name["en"] for c in OBS_STATUS.codes}
    assert names["A"] == "Normal value"
    assert names["E"] == "Estimated value"
    assert names["M"] == "Missing value; data cannot exist"
    assert names["Q"] == "Missing value; suppressed"
    assert names["K"] == "Data included in another category"
    assert names["W"] == "Includes data from another category"


def test_conf_status_codes() -> None:
    assert {"F", "N", "C", "D", "S", "A", "O", "T", "G", "M"} == CONF_STATUS.code_ids
    assert CONF_STATUS.get("F").name["en"].startswith("Free")  # type: ignore[union-attr]
    assert "small counts" in CONF_STATUS.get("A").name["en"]  # type: ignore[union-attr]


def test_unit_mult_codes_are_powers_of_ten() -> None:
    names = {c.id: c.name["en"] for c in UNIT_MULT.codes}
    assert names["0"] == "Units"
    assert names["3"] == "Thousands"
    assert names["6"] == "Millions"
    assert names["9"] == "Billions"
    assert names["12"] == "Trillions"
    assert names["-1"] == "Tenths"
    assert UNIT_MULT.get("9").name["fr"] == "Milliards"  # type: ignore[union-attr]
    assert {int(code) for code in UNIT_MULT.code_ids} == set(range(-3, 16))


def test_sdg_lists() -> None:
    assert NATURE.code_ids == {"C", "CA", "E", "G", "M", "N"}
    assert NATURE.get("CA").name["en"] == "Country adjusted data"  # type: ignore[union-attr]
    assert {"U", "R", "_T"} <= URBANISATION.code_ids
    assert URBANISATION.get("U").name["en"] == "Urban"  # type: ignore[union-attr]
    assert {"PD", "NPD", "_T", "_U"} <= DISABILITY_STATUS.code_ids
    assert DISABILITY_STATUS.get("PD").name["en"] == "Persons with disability"  # type: ignore[union-attr]


# --- age ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lower", "upper", "code"),
    [
        (15, 24, "Y15T24"),
        (0, 4, "Y0T4"),
        (65, None, "Y_GE65"),
        (0, None, "Y_GE0"),
        (None, 14, "Y_LT15"),
        (None, 0, "Y_LT1"),
        (5, 5, "Y5"),
        (None, None, "_T"),
    ],
)
def test_age_band_and_parse_are_inverse(lower: int | None, upper: int | None, code: str) -> None:
    assert age_band(lower, upper) == code
    assert parse_age_code(code) == (lower, upper)


@pytest.mark.parametrize(
    ("lower", "upper"), [(24, 15), (-1, 4), (0, -1), (None, -1), (2000, None), (1.5, 3)]
)
def test_age_band_rejects_impossible_bands(lower: int | None, upper: int | None) -> None:
    with pytest.raises(ValueError):
        age_band(lower, upper)


@pytest.mark.parametrize(
    "code", ["_U", "_Z", "Y24T15", "Y_LT0", "15T24", "Y15-24", "Y05T09", "y15t24", "", "Y_GT5"]
)
def test_parse_age_code_rejects_other_codes(code: str) -> None:
    with pytest.raises(ValueError):
        parse_age_code(code)


def test_is_age_code() -> None:
    assert is_age_code("Y15T24")
    assert is_age_code("_U")
    assert is_age_code("_Z")
    assert not is_age_code("Y15T")
    assert not is_age_code("F")


def test_age_names() -> None:
    assert age_name("Y15T24") == {"en": "15 to 24 years", "fr": "15 à 24 ans"}
    assert age_name("Y_GE65") == {"en": "65 years or over", "fr": "65 ans ou plus"}
    assert age_name("Y_LT15") == {"en": "Under 15 years", "fr": "Moins de 15 ans"}
    assert age_name("Y_LT1") == {"en": "Under 1 year", "fr": "Moins d'un an"}
    assert age_name("Y1") == {"en": "1 year", "fr": "1 an"}
    assert age_name("_T")["en"] == "All ages"
    with pytest.raises(ValueError):
        age_name("Q")


def test_builtin_age_list() -> None:
    expected = {
        "_T",
        "_U",
        "_Z",
        "Y_GE85",
        "Y15T24",
        "Y25T34",
        "Y55T64",
        "Y0T14",
        "Y15T64",
        "Y15T29",
        "Y18T24",
        "Y18T29",
        "Y25T64",
        "Y15T49",
        "Y_GE15",
        "Y_GE18",
        "Y_GE25",
        "Y_GE50",
        "Y_GE60",
        "Y_GE65",
        "Y_GE75",
        "Y_GE80",
        "Y_LT1",
        "Y_LT5",
        "Y_LT15",
        "Y_LT18",
        "Y_LT25",
    } | {f"Y{n}T{n + 4}" for n in range(0, 85, 5)}
    assert expected <= AGE.code_ids
    assert AGE.codes[0].id == "_T"
    assert [c.id for c in AGE.codes[-2:]] == ["_U", "_Z"]
    assert AGE.get("Y15T24").name["en"] == "15 to 24 years"  # type: ignore[union-attr]
    assert AGE.get("Y_GE65").name["en"] == "65 years or over"  # type: ignore[union-attr]
    assert AGE.get("Y_LT15").name["en"] == "Under 15 years"  # type: ignore[union-attr]
    for code in AGE.code_ids:
        assert is_age_code(code)


def test_age_codelist_builds_custom_bands() -> None:
    custom = age_codelist(
        ["_T", age_band(35, None), age_band(0, 17), age_band(18, 34)],
        id="CL_AGE_SURVEY",
        agency="GH.GSS",
    )
    assert [c.id for c in custom.codes] == ["_T", "Y_GE35", "Y0T17", "Y18T34"]
    assert custom.agency == "GH.GSS"
    assert custom.get("Y18T34").name == {"en": "18 to 34 years", "fr": "18 à 34 ans"}  # type: ignore[union-attr]
    ordered = age_codelist(["_U", "Y_GE35", "Y18T34", "_T", "Y0T17"], sort=True)
    assert [c.id for c in ordered.codes] == ["_T", "Y0T17", "Y18T34", "Y_GE35", "_U"]
    assert ordered.id == "CL_AGE"


def test_age_codelist_rejects_bad_codes() -> None:
    with pytest.raises(ValueError, match="'Y15-24'"):
        age_codelist(["_T", "Y15-24"])
    with pytest.raises(ValueError, match="twice"):
        age_codelist(["Y0T4", "Y0T4"])


def test_builtin_lists_fit_in_a_data_structure() -> None:
    structure = DataStructure(
        id="DSD_CITIZEN",
        agency="TEST",
        name={"en": "Citizen survey"},
        concepts=[
            {"id": i, "name": {"en": i}} for i in ("SEX", "AGE", "URBANISATION", "OBS_VALUE")
        ],
        codelists=[SEX, AGE, URBANISATION],
        dimensions=[
            Dimension(id="SEX", codelist="CL_SEX"),
            Dimension(id="AGE", codelist="CL_AGE"),
            Dimension(id="URBANISATION", codelist="CL_URBANISATION"),
        ],
    )
    assert structure.codelist_of("AGE") is AGE


def test_package_exports_are_documented() -> None:
    for name in codes.__all__:
        obj = getattr(codes, name)
        if callable(obj):
            assert obj.__doc__, name

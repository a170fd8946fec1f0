import pytest
from pydantic import ValidationError

from cdinterop.model import (
    Attribute,
    Code,
    Codelist,
    Concept,
    DataStructure,
    Dimension,
    Facets,
    Measure,
    TimeDimension,
    ValueType,
)


def _cl(*codes: str, parents: dict[str, str] | None = None) -> Codelist:
    parents = parents or {}
    return Codelist(
        id="CL_X",
        name={"en": "X"},
        codes=[Code(id=c, name={"en": c}, parent=parents.get(c)) for c in codes],
    )


def test_codelist_membership_and_subset() -> None:
    cl = _cl("GH", "GH-AA", "KE", parents={"GH-AA": "GH"})
    assert "GH" in cl and "NG" not in cl
    assert cl.get("KE") is not None and cl.get("NG") is None
    sub = cl.subset(["GH-AA", "KE"], id="CL_Y")
    assert [c.id for c in sub.codes] == ["GH-AA", "KE"]
    assert sub.codes[0].parent is None  # parent not kept, so the link is dropped
    assert sub.id == "CL_Y"
    with pytest.raises(KeyError, match="'NG'"):
        cl.subset(["NG"])


def test_codelist_rules() -> None:
    with pytest.raises(ValidationError, match="appears twice"):
        _cl("A", "A")
    with pytest.raises(ValidationError, match="parent 'Z'"):
        _cl("A", parents={"A": "Z"})
    with pytest.raises(ValidationError, match="cycle in CL_X: A -> A"):
        _cl("A", parents={"A": "A"})
    with pytest.raises(ValidationError, match="cycle in CL_X: A -> B -> A"):
        _cl("A", "B", parents={"A": "B", "B": "A"})
    with pytest.raises(ValidationError):
        Codelist(id="CL_X", name={"en": "X"}, codes=[])


def test_representation_rules() -> None:
    with pytest.raises(ValidationError, match="is coded, so its values are string codes"):
        Dimension(id="AGE", codelist="CL_AGE", value_type=ValueType.INTEGER)
    # facets of a coded component are SDMX's EnumerationFormat, kept as read
    assert Attribute(id="A", codelist="CL_A", facets=Facets(max_length=3)).facets is not None
    with pytest.raises(ValidationError, match="min_value is greater"):
        Facets(min_value=3, max_value=1)
    with pytest.raises(ValidationError, match="not a regular expression"):
        Facets(pattern="(")
    with pytest.raises(ValidationError, match="RE2"):
        Facets(pattern="a(?=b)")


def _structure(**overrides: object) -> DataStructure:
    args: dict[str, object] = {
        "id": "DSD",
        "agency": "TEST",
        "name": {"en": "S"},
        "concepts": [Concept(id=i, name={"en": i}) for i in ("SEX", "TIME_PERIOD", "OBS_VALUE")],
        "codelists": [_cl("F", "M")],
        "dimensions": [Dimension(id="SEX", codelist="CL_X")],
        "time_dimension": TimeDimension(),
    }
    args.update(overrides)
    return DataStructure.model_validate(args)


def test_structure_accessors() -> None:
    s = _structure()
    assert s.key_ids == ("SEX", "TIME_PERIOD")
    assert s.column_ids == ("SEX", "TIME_PERIOD", "OBS_VALUE")
    assert s.codelist_of("SEX") is not None and s.codelist_of("OBS_VALUE") is None
    assert isinstance(s.component("OBS_VALUE"), Measure)
    with pytest.raises(KeyError):
        s.component("NOPE")


def test_structure_references_must_resolve() -> None:
    with pytest.raises(ValidationError, match="codelist 'CL_NONE' is not among"):
        _structure(dimensions=[Dimension(id="SEX", codelist="CL_NONE")])
    with pytest.raises(ValidationError, match="concept 'AGE' is not among"):
        _structure(dimensions=[Dimension(id="AGE")])
    with pytest.raises(ValidationError, match="used twice"):
        _structure(
            dimensions=[Dimension(id="SEX", codelist="CL_X")], attributes=[Attribute(id="SEX")]
        )
    with pytest.raises(ValidationError, match="defined twice"):
        _structure(codelists=[_cl("F"), _cl("M")])
    with pytest.raises(ValidationError, match="at least 1"):
        _structure(dimensions=[])


def test_subset_and_copies_have_their_own_codes() -> None:
    cl = _cl("A", "B")
    assert "B" in cl  # reads the codes once
    assert "B" not in cl.subset(["A"])
    assert "B" not in cl.model_copy(update={"codes": cl.codes[:1]})

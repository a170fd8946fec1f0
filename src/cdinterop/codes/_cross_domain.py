"""SDMX cross-domain codelists and the SDG Global DSD codelists citizen data most often need.

Each codelist is a ready-to-use [`Codelist`][cdinterop.model.Codelist] with agency ``SDMX``:

=========================  ========================  =======================================
Constant                   Codelist id               Follows
=========================  ========================  =======================================
``SEX``                    ``CL_SEX``                SDMX cross-domain CL_SEX
``AGE``                    ``CL_AGE``                SDMX CL_AGE / SDG Global DSD age coding
``OBS_STATUS``             ``CL_OBS_STATUS``         SDMX cross-domain CL_OBS_STATUS 2.x
``CONF_STATUS``            ``CL_CONF_STATUS``        SDMX cross-domain CL_CONF_STATUS 1.3
``UNIT_MULT``              ``CL_UNIT_MULT``          SDMX CL_UNIT_MULT, plus -1 to -3
``FREQ``                   ``CL_FREQ``               SDMX CL_FREQ, from the Frequency enum
``NATURE``                 ``CL_NATURE``             SDG Global DSD nature of data
``URBANISATION``           ``CL_URBANISATION``       SDG Global DSD degree of urbanisation
``DISABILITY_STATUS``      ``CL_DISABILITY_STATUS``  SDG Global DSD disability status
=========================  ========================  =======================================

The code ids follow the SDMX conventions (``_T`` total, ``_U`` unknown, ``_Z`` not
applicable, ``_O`` other). English labels follow the SDMX wording; French labels are
cdinterop's translations, not official SDMX ones. The ``version`` of every list is
cdinterop's edition (``1.0``), not the SDMX registry version: declare the registry version
you target when you exchange structures with an SDMX registry.

Age codes follow the SDMX pattern ``Y15T24`` (15 to 24 years), ``Y_GE65`` (65 years or over),
``Y_LT15`` (under 15 years) and ``Y5`` (single year). [`age_band()`][cdinterop.codes.age_band] and
[`parse_age_code()`][cdinterop.codes.parse_age_code] convert between codes and bounds;
[`age_codelist()`][cdinterop.codes.age_codelist] builds a codelist for any set of age codes, so
bands missing from [`AGE`][cdinterop.codes.AGE] can be used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from cdinterop.model import Code, Codelist, Concept, Frequency

__all__ = [
    "AGE",
    "CONF_STATUS",
    "CROSS_DOMAIN_CODELISTS",
    "CROSS_DOMAIN_CONCEPTS",
    "DISABILITY_STATUS",
    "FREQ",
    "NATURE",
    "OBS_STATUS",
    "SEX",
    "UNIT_MULT",
    "URBANISATION",
    "age_band",
    "age_codelist",
    "age_name",
    "is_age_code",
    "parse_age_code",
]

_Row = tuple[str, str, str] | tuple[str, str, str, str]
"""``(id, English name, French name[, English description])``."""


def _code(row: _Row) -> Code:
    code_id, en, fr = row[0], row[1], row[2]
    description = {"en": row[3]} if len(row) == 4 else None
    return Code(id=code_id, name={"en": en, "fr": fr}, description=description)


def _codelist(
    codelist_id: str, name: tuple[str, str], description: str, rows: Iterable[_Row]
) -> Codelist:
    return Codelist(
        id=codelist_id,
        agency="SDMX",
        name={"en": name[0], "fr": name[1]},
        description={"en": description},
        codes=tuple(_code(row) for row in rows),
    )


# --------------------------------------------------------------------------------------------
# Sex
# --------------------------------------------------------------------------------------------

SEX: Codelist = _codelist(
    "CL_SEX",
    ("Sex", "Sexe"),
    "Sex of the persons the observation refers to (SDMX cross-domain code list).",
    [
        ("F", "Female", "Féminin"),
        ("M", "Male", "Masculin"),
        ("_T", "Total", "Total", "All sexes, or no breakdown by sex."),
        ("_O", "Other", "Autre", "Sex other than female or male."),
        ("_U", "Unknown", "Inconnu", "Sex not known or not stated."),
        ("_Z", "Not applicable", "Sans objet", "Sex is not a meaningful breakdown here."),
    ],
)
"""SDMX ``CL_SEX``: ``F``, ``M``, ``_T`` total, ``_O`` other, ``_U`` unknown,
``_Z`` not applicable."""


# --------------------------------------------------------------------------------------------
# Age
# --------------------------------------------------------------------------------------------

_N = r"(0|[1-9][0-9]{0,2})"
_AGE_RANGE = re.compile(rf"^Y{_N}T{_N}$")
_AGE_SINGLE = re.compile(rf"^Y{_N}$")
_AGE_GE = re.compile(rf"^Y_GE{_N}$")
_AGE_LT = re.compile(rf"^Y_LT{_N}$")

_AGE_SPECIAL: dict[str, tuple[str, str, str]] = {
    "_T": ("All ages", "Tous âges", "All age ranges, or no breakdown by age."),
    "_U": ("Unknown age", "Âge inconnu", "Age not known or not stated."),
    "_Z": ("Not applicable", "Sans objet", "Age is not a meaningful breakdown here."),
}

_AGE_EXAMPLES = "'Y15T24', 'Y_GE65', 'Y_LT15', 'Y5' or '_T'"


def parse_age_code(code: str) -> tuple[int | None, int | None]:
    """The inclusive age bounds, in completed years, of an SDMX age code.

    ``Y15T24`` gives ``(15, 24)``, ``Y_GE65`` gives ``(65, None)``, ``Y_LT15`` gives
    ``(None, 14)``, ``Y5`` gives ``(5, 5)`` and ``_T`` (all ages) gives ``(None, None)``.
    ``None`` means the band is open on that side. Anything else, including ``_U`` and
    ``_Z`` (which are not bands), raises ``ValueError``.
    """
    if code == "_T":
        return None, None
    if match := _AGE_RANGE.match(code):
        lower, upper = int(match[1]), int(match[2])
        if upper < lower:
            raise ValueError(f"age code {code!r}: upper age {upper} is below lower age {lower}")
        return lower, upper
    if match := _AGE_SINGLE.match(code):
        return int(match[1]), int(match[1])
    if match := _AGE_GE.match(code):
        return int(match[1]), None
    if match := _AGE_LT.match(code):
        limit = int(match[1])
        if limit == 0:
            raise ValueError("age code 'Y_LT0' is empty: no age is under 0 years")
        return None, limit - 1
    raise ValueError(f"{code!r} is not an SDMX age band code (e.g. {_AGE_EXAMPLES})")


def age_band(lower: int | None, upper: int | None) -> str:
    """The SDMX age code for the band from ``lower`` to ``upper`` years, both inclusive.

    ``age_band(15, 24)`` is ``"Y15T24"``, ``age_band(65, None)`` is ``"Y_GE65"``, ``age_band(None,
    14)`` is ``"Y_LT15"``, ``age_band(5, 5)`` is ``"Y5"`` and ``age_band(None, None)`` is ``"_T"``.
    The inverse of [`parse_age_code()`][cdinterop.codes.parse_age_code]. Raises ``ValueError`` for
    negative ages or an upper bound below the lower one.
    """
    for label, value in (("lower", lower), ("upper", upper)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError(f"{label} age must be a whole number of years, not {value!r}")
        if value is not None and value < 0:
            raise ValueError(f"{label} age must not be negative, got {value}")
        if value is not None and value > 999:
            raise ValueError(f"{label} age {value} is not a plausible age in years")
    if lower is None and upper is None:
        return "_T"
    if lower is None:
        assert upper is not None
        if upper >= 999:
            raise ValueError(f"upper age {upper} is not a plausible age in years")
        return f"Y_LT{upper + 1}"
    if upper is None:
        return f"Y_GE{lower}"
    if upper < lower:
        raise ValueError(f"upper age {upper} is below lower age {lower}")
    if upper == lower:
        return f"Y{lower}"
    return f"Y{lower}T{upper}"


def is_age_code(code: str) -> bool:
    """Whether ``code`` is an SDMX age code: a band, ``_T``, ``_U`` or ``_Z``."""
    if code in _AGE_SPECIAL:
        return True
    try:
        parse_age_code(code)
    except ValueError:
        return False
    return True


def _years(n: int, language: str) -> str:
    if language == "fr":
        return f"{n} an" if n in (0, 1) else f"{n} ans"
    return f"{n} year" if n == 1 else f"{n} years"


def age_name(code: str) -> dict[str, str]:
    """Generated English and French labels for an age code.

    ``Y15T24`` is "15 to 24 years", ``Y_GE65`` "65 years or over", ``Y_LT15``
    "Under 15 years", ``Y5`` "5 years"; ``_T``, ``_U`` and ``_Z`` have fixed labels.
    Raises ``ValueError`` for a code that is not an age code.
    """
    if code in _AGE_SPECIAL:
        en, fr, _ = _AGE_SPECIAL[code]
        return {"en": en, "fr": fr}
    lower, upper = parse_age_code(code)
    if lower is None:
        assert upper is not None
        limit = upper + 1
        fr = "Moins d'un an" if limit == 1 else f"Moins de {_years(limit, 'fr')}"
        return {"en": f"Under {_years(limit, 'en')}", "fr": fr}
    if upper is None:
        return {"en": f"{_years(lower, 'en')} or over", "fr": f"{_years(lower, 'fr')} ou plus"}
    if lower == upper:
        return {"en": _years(lower, "en"), "fr": _years(lower, "fr")}
    return {"en": f"{lower} to {_years(upper, 'en')}", "fr": f"{lower} à {_years(upper, 'fr')}"}


def _age_code(code: str) -> Code:
    description = {"en": _AGE_SPECIAL[code][2]} if code in _AGE_SPECIAL else None
    return Code(id=code, name=age_name(code), description=description)


def _age_sort_key(code: str) -> tuple[int, int, float]:
    if code in _AGE_SPECIAL:
        return (0 if code == "_T" else 2, 0, 0.0)
    lower, upper = parse_age_code(code)
    return (1, lower or 0, float("inf") if upper is None else upper)


def age_codelist(
    codes: Iterable[str],
    *,
    id: str = "CL_AGE",
    agency: str = "SDMX",
    version: str = "1.0",
    name: Mapping[str, str] | None = None,
    sort: bool = False,
) -> Codelist:
    """A codelist of the given age codes, with generated labels.

    Use it for age bands that [`AGE`][cdinterop.codes.AGE] lacks, e.g.
    ``age_codelist(["_T", age_band(0, 17), age_band(18, 34), age_band(35, None)])``.
    Codes are kept in the order given unless ``sort`` is true (``_T`` first, then bands by
    lower and upper bound, then ``_U`` and ``_Z``). Raises ``ValueError`` for a code that
    is not an age code, or one given twice. Set ``agency`` to your own agency when the list
    is not the SDMX one.
    """
    wanted = list(codes)
    bad = [code for code in wanted if not is_age_code(code)]
    if bad:
        raise ValueError(
            f"not age codes: {', '.join(map(repr, bad))} (expected e.g. {_AGE_EXAMPLES})"
        )
    if sort:
        wanted.sort(key=_age_sort_key)
    return Codelist(
        id=id,
        agency=agency,
        version=version,
        name=dict(name) if name is not None else {"en": "Age", "fr": "Âge"},
        description={"en": "Age group of the persons the observation refers to."},
        codes=tuple(_age_code(code) for code in wanted),
    )


_BUILTIN_AGE_CODES: tuple[str, ...] = (
    "_T",
    # under n years
    "Y_LT1",
    "Y_LT5",
    "Y_LT15",
    "Y_LT18",
    "Y_LT25",
    # 5-year bands
    *(age_band(lower, lower + 4) for lower in range(0, 85, 5)),
    "Y_GE85",
    # 10-year bands
    *(age_band(lower, lower + 9) for lower in range(15, 85, 10)),
    # broad bands
    "Y1T4",
    "Y0T14",
    "Y0T17",
    "Y5T14",
    "Y10T19",
    "Y15T17",
    "Y15T29",
    "Y15T49",
    "Y15T59",
    "Y15T64",
    "Y18T24",
    "Y18T29",
    "Y25T49",
    "Y25T64",
    "Y50T64",
    # n years or over
    "Y_GE15",
    "Y_GE18",
    "Y_GE25",
    "Y_GE50",
    "Y_GE60",
    "Y_GE65",
    "Y_GE75",
    "Y_GE80",
    "_U",
    "_Z",
)

AGE: Codelist = age_codelist(_BUILTIN_AGE_CODES, sort=True)
"""``CL_AGE``: ``_T``; under 1, 5, 15, 18 and 25 years; 5-year bands ``Y0T4`` … ``Y80T84`` and
``Y_GE85``; 10-year bands ``Y15T24`` … ``Y75T84``; common broad bands (``Y0T14``, ``Y15T64``,
``Y15T49``, ``Y18T29`` …); ``Y_GE15`` … ``Y_GE80``; ``_U`` and ``_Z``. Sorted by lower then upper
bound. Build other bands with ``age_codelist()``."""


# --------------------------------------------------------------------------------------------
# Observation status
# --------------------------------------------------------------------------------------------

OBS_STATUS: Codelist = _codelist(
    "CL_OBS_STATUS",
    ("Observation status", "Statut de l'observation"),
    "Information on the quality of a value or an unusual or missing value "
    "(SDMX cross-domain code list CL_OBS_STATUS).",
    [
        ("A", "Normal value", "Valeur normale", "The default: no special status."),
        (
            "B",
            "Time series break",
            "Rupture de série",
            "The value is not comparable with the previous one (method, definition or "
            "coverage changed).",
        ),
        (
            "D",
            "Definition differs",
            "Définition différente",
            "The value departs from the agreed definition or methodology.",
        ),
        (
            "E",
            "Estimated value",
            "Valeur estimée",
            "Based on partial data or an estimation method rather than full observation.",
        ),
        ("F", "Forecast value", "Valeur prévue", "A value for a period not yet observed."),
        (
            "G",
            "Experimental value",
            "Valeur expérimentale",
            "Produced with a new or experimental method or source.",
        ),
        ("H", "Missing value; holiday or weekend", "Valeur manquante ; jour férié ou week-end"),
        (
            "I",
            "Imputed value (CCSA definition)",
            "Valeur imputée (définition du CCSA)",
            "Imputed by a receiving organisation to fill a gap in reported data.",
        ),
        (
            "J",
            "Derogation",
            "Dérogation",
            "A provision of an agreement does not apply to this value.",
        ),
        (
            "K",
            "Data included in another category",
            "Données incluses dans une autre catégorie",
            "The value is counted in another category, subtotal or total (see code W).",
        ),
        (
            "L",
            "Missing value; data exist but were not collected",
            "Valeur manquante ; données existantes mais non collectées",
        ),
        (
            "M",
            "Missing value; data cannot exist",
            "Valeur manquante ; données ne pouvant exister",
            "The category does not apply, so no value can exist.",
        ),
        (
            "N",
            "Not significant",
            "Non significatif",
            "A value that rounds to zero but is not a real zero.",
        ),
        ("O", "Missing value", "Valeur manquante", "Missing for a reason not given by L, M or Q."),
        ("P", "Provisional value", "Valeur provisoire", "Expected to be revised."),
        (
            "Q",
            "Missing value; suppressed",
            "Valeur manquante ; supprimée",
            "Withheld, typically for confidentiality (see CL_CONF_STATUS).",
        ),
        ("S", "Strike and other special events", "Grève et autres événements particuliers"),
        (
            "U",
            "Low reliability",
            "Faible fiabilité",
            "E.g. too few sample cases or a high sampling error.",
        ),
        ("V", "Unvalidated value", "Valeur non validée", "Not yet checked by the producer."),
        (
            "W",
            "Includes data from another category",
            "Comprend des données d'une autre catégorie",
            "The value also covers another category (see code K).",
        ),
    ],
)
"""SDMX ``CL_OBS_STATUS``: ``A`` normal, ``B`` break, ``D`` definition differs, ``E``
estimated, ``F`` forecast, ``G`` experimental, ``H`` holiday or weekend, ``I`` imputed,
``J`` derogation, ``K`` included elsewhere, ``L``/``M``/``O``/``Q`` kinds of missing value,
``N`` not significant, ``P`` provisional, ``S`` strike, ``U`` low reliability, ``V``
unvalidated, ``W`` includes another category."""


# --------------------------------------------------------------------------------------------
# Confidentiality status
# --------------------------------------------------------------------------------------------

CONF_STATUS: Codelist = _codelist(
    "CL_CONF_STATUS",
    ("Confidentiality status", "Statut de confidentialité"),
    "Whether, and why, a value may not be published (SDMX cross-domain code list CL_CONF_STATUS).",
    [
        ("F", "Free (free for publication)", "Libre (publication autorisée)"),
        (
            "N",
            "Not for publication, restricted for internal use only",
            "Non publiable, réservé à un usage interne",
        ),
        (
            "C",
            "Confidential statistical information",
            "Information statistique confidentielle",
            "Primary confidentiality, reason not specified.",
        ),
        (
            "A",
            "Primary confidentiality due to small counts",
            "Confidentialité primaire due à de faibles effectifs",
            "Too few units contribute to the value (threshold rule).",
        ),
        (
            "O",
            "Primary confidentiality due to dominance by one unit",
            "Confidentialité primaire due à la prépondérance d'une unité",
        ),
        (
            "T",
            "Primary confidentiality due to dominance by two units",
            "Confidentialité primaire due à la prépondérance de deux unités",
        ),
        (
            "G",
            "Primary confidentiality due to dominance by one or two units",
            "Confidentialité primaire due à la prépondérance d'une ou deux unités",
        ),
        (
            "M",
            "Primary confidentiality due to data declared confidential based on other "
            "measures of concentration",
            "Confidentialité primaire fondée sur d'autres mesures de concentration",
        ),
        (
            "D",
            "Secondary confidentiality set by the sender, not for publication",
            "Confidentialité secondaire fixée par l'émetteur, non publiable",
            "Suppressed so that a primary confidential value cannot be derived.",
        ),
        (
            "S",
            "Secondary confidentiality set and managed by the receiver, not for publication",
            "Confidentialité secondaire fixée et gérée par le destinataire, non publiable",
        ),
    ],
)
"""SDMX ``CL_CONF_STATUS``: ``F`` free, ``N`` internal use only, ``C`` confidential,
``A``/``O``/``T``/``G``/``M`` primary confidentiality by reason (small counts, dominance by
one, two, one or two units, other concentration measures), ``D``/``S`` secondary
confidentiality set by the sender / the receiver."""


# --------------------------------------------------------------------------------------------
# Unit multiplier
# --------------------------------------------------------------------------------------------

_UNIT_MULT_NAMES: dict[int, tuple[str, str]] = {
    0: ("Units", "Unités"),
    1: ("Tens", "Dizaines"),
    2: ("Hundreds", "Centaines"),
    3: ("Thousands", "Milliers"),
    4: ("Tens of thousands", "Dizaines de milliers"),
    5: ("Hundreds of thousands", "Centaines de milliers"),
    6: ("Millions", "Millions"),
    7: ("Tens of millions", "Dizaines de millions"),
    8: ("Hundreds of millions", "Centaines de millions"),
    9: ("Billions", "Milliards"),
    10: ("Tens of billions", "Dizaines de milliards"),
    11: ("Hundreds of billions", "Centaines de milliards"),
    12: ("Trillions", "Billions"),
    13: ("Tens of trillions", "Dizaines de billions"),
    14: ("Hundreds of trillions", "Centaines de billions"),
    15: ("Quadrillions", "Billiards"),
    -1: ("Tenths", "Dixièmes"),
    -2: ("Hundredths", "Centièmes"),
    -3: ("Thousandths", "Millièmes"),
}

UNIT_MULT: Codelist = _codelist(
    "CL_UNIT_MULT",
    ("Unit multiplier", "Multiplicateur d'unité"),
    "Power of ten by which the observation value is multiplied to obtain the value in the "
    "unit of measure (SDMX cross-domain code list CL_UNIT_MULT).",
    [
        (str(exponent), en, fr, f"Values are in units of 10^{exponent}.")
        for exponent, (en, fr) in _UNIT_MULT_NAMES.items()
    ],
)
"""SDMX ``CL_UNIT_MULT``: the code is the power of ten, ``0`` units … ``3`` thousands …
``6`` millions … ``9`` billions … ``15`` quadrillions, plus ``-1``, ``-2``, ``-3`` for
tenths, hundredths and thousandths (English short scale; French labels use the long scale,
so ``9`` is *milliards*)."""


# --------------------------------------------------------------------------------------------
# Frequency
# --------------------------------------------------------------------------------------------

_FREQ_NAMES: dict[Frequency, tuple[str, str]] = {
    Frequency.ANNUAL: ("Annual", "Annuelle"),
    Frequency.HALF_YEARLY: ("Half-yearly, semester", "Semestrielle"),
    Frequency.QUARTERLY: ("Quarterly", "Trimestrielle"),
    Frequency.MONTHLY: ("Monthly", "Mensuelle"),
    Frequency.WEEKLY: ("Weekly", "Hebdomadaire"),
    Frequency.DAILY: ("Daily", "Quotidienne"),
    Frequency.BUSINESS_DAILY: (
        "Daily \N{EN DASH} business week",
        "Quotidienne \N{EN DASH} jours ouvrables",
    ),
    Frequency.HOURLY: ("Hourly", "Horaire"),
    Frequency.MINUTELY: ("Minutely", "Par minute"),
}


def _freq_row(member: Frequency) -> _Row:
    default = member.name.replace("_", " ").capitalize()
    en, fr = _FREQ_NAMES.get(member, (default, default))
    return (member.value, en, fr)


FREQ: Codelist = _codelist(
    "CL_FREQ",
    ("Frequency", "Fréquence"),
    "Time interval at which observations occur (SDMX code list CL_FREQ).",
    [_freq_row(member) for member in Frequency],
)
"""SDMX ``CL_FREQ``, built from ``Frequency`` so the two never
differ: ``A`` annual, ``S`` half-yearly, ``Q`` quarterly, ``M`` monthly, ``W`` weekly,
``D`` daily, ``B`` business daily, ``H`` hourly, ``N`` minutely."""


# --------------------------------------------------------------------------------------------
# SDG Global DSD: nature, urbanisation, disability status
# --------------------------------------------------------------------------------------------

NATURE: Codelist = _codelist(
    "CL_NATURE",
    ("Nature of data", "Nature des données"),
    "How the value was produced, as reported with SDG indicators (SDG Global DSD).",
    [
        (
            "C",
            "Country data",
            "Données nationales",
            "Produced and disseminated by the country, as the country published it.",
        ),
        (
            "CA",
            "Country adjusted data",
            "Données nationales ajustées",
            "Produced by the country and adjusted by the reporting agency to international "
            "standards, definitions or classifications.",
        ),
        (
            "E",
            "Estimated data",
            "Données estimées",
            "Estimated by the reporting agency from national data such as surveys or "
            "administrative records.",
        ),
        (
            "G",
            "Global monitoring data",
            "Données de suivi mondial",
            "Produced regularly by the designated agency for global monitoring, based on "
            "country data.",
        ),
        (
            "M",
            "Modelled data",
            "Données modélisées",
            "Modelled by the reporting agency, typically where country data are lacking.",
        ),
        ("N", "Non-relevant", "Sans objet", "The nature of data does not apply."),
    ],
)
"""SDG ``CL_NATURE``: ``C`` country data, ``CA`` country adjusted, ``E`` estimated, ``G``
global monitoring data, ``M`` modelled, ``N`` non-relevant."""

URBANISATION: Codelist = _codelist(
    "CL_URBANISATION",
    ("Degree of urbanisation", "Degré d'urbanisation"),
    "Urban or rural character of the area the observation refers to (SDG Global DSD).",
    [
        ("U", "Urban", "Urbain"),
        (
            "S",
            "Suburban",
            "Périurbain",
            "Towns, suburbs and semi-dense areas, where the source distinguishes them.",
        ),
        ("R", "Rural", "Rural"),
        ("_T", "All areas", "Toutes zones", "Urban and rural together, or no breakdown."),
        ("_Z", "Not applicable", "Sans objet"),
    ],
)
"""SDG ``CL_URBANISATION``: ``U`` urban, ``S`` suburban (towns and semi-dense areas),
``R`` rural, ``_T`` all areas, ``_Z`` not applicable."""

DISABILITY_STATUS: Codelist = _codelist(
    "CL_DISABILITY_STATUS",
    ("Disability status", "Situation de handicap"),
    "Whether the persons the observation refers to have a disability (SDG Global DSD "
    "naming; disability as identified e.g. by the Washington Group questions).",
    [
        ("PD", "Persons with disability", "Personnes handicapées"),
        ("NPD", "Persons without disability", "Personnes non handicapées"),
        ("_T", "Total", "Total", "All persons, or no breakdown by disability status."),
        ("_U", "Unknown", "Inconnu", "Disability status not known or not stated."),
        ("_Z", "Not applicable", "Sans objet"),
    ],
)
"""``CL_DISABILITY_STATUS``: ``PD`` persons with disability (the SDG Global DSD code),
``NPD`` persons without disability, ``_T`` total, ``_U`` unknown, ``_Z`` not applicable.
Check ``NPD`` against the SDG DSD version you report to before exchanging data with UNSD."""


CROSS_DOMAIN_CODELISTS: Mapping[str, Codelist] = MappingProxyType(
    {
        cl.id: cl
        for cl in (
            SEX,
            AGE,
            OBS_STATUS,
            CONF_STATUS,
            UNIT_MULT,
            FREQ,
            NATURE,
            URBANISATION,
            DISABILITY_STATUS,
        )
    }
)
"""Every built-in codelist of this module, keyed by codelist id (``CL_SEX`` …)."""


def _concept(concept_id: str, en: str, fr: str) -> Concept:
    return Concept(id=concept_id, name={"en": en, "fr": fr})


CROSS_DOMAIN_CONCEPTS: Mapping[str, Concept] = MappingProxyType(
    {
        concept.id: concept
        for concept in (
            _concept("FREQ", "Frequency", "Fréquence"),
            _concept("REF_AREA", "Reference area", "Zone de référence"),
            _concept("COUNTERPART_AREA", "Counterpart area", "Zone de contrepartie"),
            _concept("SEX", "Sex", "Sexe"),
            _concept("AGE", "Age", "Âge"),
            _concept("DISABILITY_STATUS", "Disability status", "Situation de handicap"),
            _concept("URBANISATION", "Degree of urbanisation", "Degré d'urbanisation"),
            _concept("SERIES", "Series", "Série"),
            _concept("TIME_PERIOD", "Time period", "Période"),
            _concept("OBS_VALUE", "Observation value", "Valeur de l'observation"),
            _concept("OBS_STATUS", "Observation status", "Statut de l'observation"),
            _concept("CONF_STATUS", "Confidentiality status", "Statut de confidentialité"),
            _concept("UNIT_MEASURE", "Unit of measure", "Unité de mesure"),
            _concept("UNIT_MULT", "Unit multiplier", "Multiplicateur d'unité"),
            _concept("DECIMALS", "Decimals", "Décimales"),
            _concept("NATURE", "Nature of data", "Nature des données"),
            _concept("COMMENT", "Comment", "Commentaire"),
        )
    }
)
"""The SDMX cross-domain concepts (and the SDG Global DSD's ``SERIES``, ``NATURE`` and
``DISABILITY_STATUS``), keyed by id, with English and French names: a component of a spec's
structure named after one of them needs no concept of its own."""

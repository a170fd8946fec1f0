"""Draft an ingest + aggregation spec from a submission, its form and a target structure."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cdinterop import codes
from cdinterop.draft._match import (
    ACCEPT,
    ValueMatch,
    cluster_values,
    code_id,
    match_values,
    names_of,
    similarity,
)
from cdinterop.draft._profile import ColumnProfile, SubmissionProfile, profile_submission
from cdinterop.draft._xlsform import Choice, FormDefinition, read_xlsform
from cdinterop.draft._yaml import Note, dump

__all__ = ["Draft", "DraftMatch", "draft_spec"]

MAX_AGG_DIMENSIONS = 5
"""Coded dimensions the drafted aggregation totals (at most 6 are allowed)."""

_CONCEPT_WORDS: dict[str, list[str]] = {
    "SEX": ["sex", "gender", "jinsia"],
    "AGE": ["age", "age in years", "umri"],
    "DISABILITY_STATUS": ["disability", "disability status", "disabled", "handicap", "ulemavu"],
    "REF_AREA": ["county", "region", "district", "province", "state", "area", "country"],
}
_SEX_WORDS: dict[str, list[str]] = {
    # ISO/IEC 5218 numbers (1 male, 2 female) and everyday words
    "F": ["woman", "women", "girl", "2"],
    "M": ["man", "men", "boy", "1"],
}
_YES = {"yes", "y", "true", "1", "ndiyo", "oui", "si", "sí"}
_NO = {"no", "n", "false", "0", "hapana", "non"}
_PERSONAL = re.compile(
    r"phone|mobile|e-?mail|name|comment|note|remark|device|imei|address|leader|contact|"
    r"surname|signature|photo|audio|_gps_|latitude|longitude|altitude|precision",
    re.IGNORECASE,
)
_KOBO_META = {"start", "end", "today", "__version__", "_index", "_id", "_status", "_notes"}
_PLACEHOLDER = "TODO"


@dataclass(frozen=True)
class DraftMatch:
    """One guess of the draft: a column's concept, or a value's code, with its score."""

    column: str
    target: str
    value: str | None
    score: float
    note: str = ""


@dataclass
class Draft:
    """A drafted spec: its YAML ``text``, the guesses it made (``matches``, each to
    review), the columns it left out and why (``skipped``) and the profile it used."""

    text: str
    matches: list[DraftMatch] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    profile: SubmissionProfile | None = None

    def value_maps(self) -> dict[tuple[str, str], dict[str, str]]:
        """The drafted value maps, by (component id, source column)."""
        maps: dict[tuple[str, str], dict[str, str]] = {}
        for match in self.matches:
            if match.value is not None and match.target:
                component, _, code = match.target.partition("=")
                if code:
                    maps.setdefault((component, match.column), {})[match.value] = code
        return maps


@dataclass
class _Coded:
    column: str
    component: str
    codelist: dict[str, Any]
    mapping: dict[str, str]
    scores: dict[str, ValueMatch]
    concept_score: float
    builtin: bool
    total: str = "_T"
    bands: dict[str, list[int]] | None = None
    from_dsd: bool = False


@dataclass
class _Roles:
    """What the columns are used for: dropped, pseudonymised, coarsened, coded, numbers
    (column, concept, kind), the record id and the time column."""

    drop: list[str] = field(default_factory=list)
    pseudonymise: list[str] = field(default_factory=list)
    geopoints: dict[str, Any] = field(default_factory=dict)
    coded: list[_Coded] = field(default_factory=list)
    numeric: list[tuple[str, str, str]] = field(default_factory=list)
    record_id: str | None = None
    time_column: str | None = None


@dataclass
class _UnitStructure:
    """The parts of the unit-record structure being drafted, and the rule of each component."""

    concepts: list[dict[str, Any]] = field(default_factory=list)
    codelists: list[dict[str, Any]] = field(default_factory=list)
    dimensions: list[dict[str, Any]] = field(default_factory=list)
    attributes: list[dict[str, Any]] = field(default_factory=list)
    components: dict[str, Any] = field(default_factory=dict)

    def add(self, ident: str, name: dict[str, str], column: str, attribute: dict[str, Any]) -> None:
        """An attribute read as it is from ``column``."""
        self.concepts.append({"id": ident, "name": name})
        self.attributes.append(attribute)
        self.components[ident] = {"from": column}


def _short(column: str) -> str:
    return column.rsplit("/", 1)[-1]


def _concept_id(column: str, taken: set[str]) -> str:
    ident = code_id(_short(column).lstrip("_")) or "COLUMN"
    while ident in taken:
        ident += "_"
    taken.add(ident)
    return ident


def _codelist_dict(codelist: Any, keep: Sequence[str] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = codelist.model_dump(
        mode="json", exclude_none=True, exclude_defaults=True
    )
    if keep is not None:
        wanted = set(keep)
        data["codes"] = [c for c in data["codes"] if c["id"] in wanted]
    for item in data["codes"]:
        item.pop("description", None)
        item.pop("parent", None)
    data.pop("description", None)
    return data


def _listed(item: _Coded, codes_used: Sequence[str]) -> dict[str, Any]:
    """The codelist entry of a coded component: a reference to the built-in list it was
    matched against (``SDMX:CL_SEX``, the ISO 3166 areas) with the codes used, else the
    list written out."""
    source = str(item.codelist.get("id", ""))
    own_id = f"CL_{item.component}"
    if item.builtin and not item.from_dsd and source in codes.CROSS_DOMAIN_CODELISTS:
        ref: dict[str, Any] = {"ref": f"SDMX:{source}", "codes": list(codes_used)}
    elif item.builtin and source.startswith("CL_SUBDIVISIONS_"):
        ref = {"ref": "ISO:CL_AREA_ALPHA2", "name": item.codelist["name"]}
        ref["codes"] = list(codes_used)
    elif item.from_dsd:  # the DSD's own list, under its identity
        return {**item.codelist, "codes": list(item.codelist["codes"])}
    else:
        listed = {k: v for k, v in item.codelist.items() if k not in ("agency", "partial")}
        return {**listed, "id": own_id, "codes": list(listed["codes"])}
    return {"ref": ref.pop("ref"), **({"id": own_id} if own_id != source else {}), **ref}


def _listed_as(item: _Coded) -> str:
    """How the component refers to its codelist: the DSD list's ``AGENCY:ID(VERSION)``,
    else ``CL_<component>``."""
    if item.from_dsd:
        data = item.codelist
        return f"{data['agency']}:{data['id']}({data.get('version', '1.0')})"
    return f"CL_{item.component}"


def _form_labels(
    form: FormDefinition | None, column: str
) -> tuple[list[str], dict[str, list[str]]]:
    """The question's labels and, per choice value, the choice's labels."""
    if form is None:
        return [], {}
    question = form.question_for(column)
    if question is None:
        return [], {}
    choices = form.choices.get(question.list_name or "", [])
    return list(question.labels.values()), {c.name: list(c.labels.values()) for c in choices}


def _concept_for(column: str, labels: list[str], taken: set[str]) -> tuple[str | None, float]:
    best: tuple[str | None, float] = (None, 0.0)
    texts = [_short(column).replace("_", " "), *labels]
    for concept, words in _CONCEPT_WORDS.items():
        if concept in taken:
            continue
        for word in words:
            for text in texts:
                score = similarity(text, word)
                if score > best[1]:
                    best = (concept, round(score, 1))
    return best if best[1] >= 90 else (None, best[1])


def _country_of(texts: Sequence[str]) -> str | None:
    """The country whose ISO 3166-2 subdivision names most of ``texts`` match, or None."""
    import pycountry

    from cdinterop.draft._match import _fuzz

    fuzz = _fuzz()
    from rapidfuzz import process

    names = [(s.name, s.country_code) for s in pycountry.subdivisions]
    choices = [n for n, _ in names]
    votes: dict[str, int] = {}
    for text in texts:
        found = process.extractOne(
            text, choices, scorer=fuzz.ratio, processor=str.lower, score_cutoff=90
        )
        if found is not None:
            country = names[found[2]][1]
            votes[country] = votes.get(country, 0) + 1
    if not votes:
        return None
    country, count = max(votes.items(), key=lambda item: item[1])
    return country if count * 2 >= len(texts) else None


def _words_for(code: str) -> list[str]:
    """Words that stand for a standard code in answers (``woman`` for F, ``yes`` for PD)."""
    if code == "PD":
        return sorted(_YES)
    if code == "NPD":
        return sorted(_NO)
    return list(_SEX_WORDS.get(code, []))


def _accepted(scores: Mapping[str, ValueMatch]) -> dict[str, str]:
    """Value -> code of the matches scoring ``ACCEPT`` or more."""
    return {v: m.code for v, m in scores.items() if m.code is not None and m.score >= ACCEPT}


def _choice_codes(
    choices: Sequence[Choice],
) -> tuple[dict[str, list[str]], dict[str, dict[str, str]]]:
    """A code per choice of the form: (code -> texts to match, code -> names)."""
    targets: dict[str, list[str]] = {}
    names: dict[str, dict[str, str]] = {}
    for choice in choices:
        ident = code_id(choice.name)
        targets[ident] = [choice.name, *choice.labels.values()]
        names[ident] = dict(choice.labels) or {"en": choice.name}
    return targets, names


def _value_codes(
    counts: Mapping[str, int],
) -> tuple[dict[str, ValueMatch], dict[str, dict[str, str]]]:
    """A code per group of spellings of the values: (value -> match, code -> name, the
    group's most frequent spelling)."""
    clusters = cluster_values(counts)
    scores = {v: ValueMatch(v, code, score, None) for v, (code, score) in clusters.items()}
    names: dict[str, dict[str, str]] = {}
    for value in sorted(counts, key=lambda v: -counts[v]):
        names.setdefault(clusters[value][0], {"en": value})
    return scores, names


def _structure_codelists(structure: Any) -> dict[str, tuple[str, dict[str, list[str]], Any]]:
    """Component id -> (codelist id, code id -> names, codelist) of a given DSD."""
    found: dict[str, tuple[str, dict[str, list[str]], Any]] = {}
    lists = {c.id: c for c in structure.codelists}
    for component in [*structure.dimensions, *structure.attributes]:
        codelist = lists.get(getattr(component, "codelist", None) or "")
        if codelist is not None:
            targets = {c.id: [c.id, *names_of(c)] for c in codelist.codes}
            found[component.id] = (codelist.id, targets, codelist)
    return found


def _read_structure(path: str | Path) -> Any:
    from cdinterop.sdmx import read_structure

    return read_structure(path).structure


def draft_spec(
    submission: str | Path,
    *,
    form: str | Path | None = None,
    structure: str | Path | None = None,
    spec_id: str | None = None,
) -> Draft:
    """Draft a mapping spec for ``submission`` (any file `cdinterop ingest` reads).

    ``form`` is the XLSForm the submission was collected with (its choice lists and
    labels become codelists with names in every language); ``structure`` an SDMX
    structure file (or a ``str`` SDMX URN or URL, fetched) whose codelists the values are
    matched to. The draft loads as an
    [`IngestSpec`][cdinterop.ingest.IngestSpec] and runs with ``cdinterop convert``;
    every guess carries its score and ``REVIEW`` in a YAML comment.

    Raises [`ReadError`][cdinterop.errors.ReadError] when a file cannot be read and
    [`MissingExtraError`][cdinterop.errors.MissingExtraError] without the ``draft`` extra.
    """
    from cdinterop.draft._match import _fuzz

    _fuzz()
    profile = profile_submission(submission)
    definition = read_xlsform(form) if form is not None else None
    dsd = _read_structure(structure) if structure is not None else None
    return _Drafter(profile, definition, dsd, spec_id).run()


class _Drafter:
    def __init__(
        self,
        profile: SubmissionProfile,
        form: FormDefinition | None,
        dsd: Any,
        spec_id: str | None,
    ) -> None:
        self.profile = profile
        self.form = form
        self.dsd = dsd
        self.dsd_lists = _structure_codelists(dsd) if dsd is not None else {}
        stem = re.sub(r"[^0-9A-Za-z]+", "-", profile.path.stem).strip("-").lower() or "draft"
        self.spec_id = spec_id or stem
        self.kobo = profile.layout.startswith("kobo") or "_uuid" in profile.columns
        self.matches: list[DraftMatch] = []
        self.skipped: dict[str, str] = {}
        self.taken: set[str] = set()

    # -- column roles -------------------------------------------------------------------

    def _question_type(self, column: str) -> str | None:
        if self.form is None:
            return None
        question = self.form.question_for(column)
        return question.type if question is not None else None

    def _coded(self, column: str, prof: ColumnProfile) -> _Coded | None:
        """The coded component a column becomes: a component of the given DSD, an age in
        bands, a standard concept, areas of a country or codes invented from its values;
        None when it is not coded."""
        labels, choice_labels = _form_labels(self.form, column)
        qtype = self._question_type(column)
        if qtype == "select_multiple":
            self.skipped[column] = "select_multiple: map its split 0/1 columns instead"
            return None
        if self.dsd_lists:
            coded = self._against_dsd(column, labels, prof, choice_labels)
            if coded is not None:
                return coded
        concept, concept_score = _concept_for(column, labels, self.taken)
        if concept == "AGE" and prof.kind == "integer":
            self.taken.add("AGE")
            return self._age(column, concept_score)
        if prof.kind != "choice" and qtype not in ("select_one",):
            return None
        values = list(prof.values)
        coded = self._standard(column, concept, concept_score, values, choice_labels)
        if coded is None and "REF_AREA" not in self.taken:
            coded = self._areas(column, concept_score, values, choice_labels)
        return coded or self._invented(column, prof, labels, choice_labels)

    def _standard(
        self,
        column: str,
        concept: str | None,
        score: float,
        values: list[str],
        choice_labels: Mapping[str, Sequence[str]],
    ) -> _Coded | None:
        """SEX or DISABILITY_STATUS (yes/no answers) on the built-in SDMX codelist, else None."""
        if concept == "SEX":
            targets = {
                c.id: [c.id, *names_of(c), *_SEX_WORDS.get(c.id, [])]
                for c in codes.SEX.codes
                if c.id in ("F", "M", "_O", "_U")
            }
            return self._builtin(column, "SEX", codes.SEX, targets, values, choice_labels, score)
        if concept == "DISABILITY_STATUS" and self._yes_no(values, choice_labels):
            statuses = codes.DISABILITY_STATUS
            targets = {
                "PD": ["PD", *names_of(statuses.codes[0]), *_YES],
                "NPD": ["NPD", *names_of(statuses.codes[1]), *_NO],
            }
            return self._builtin(column, concept, statuses, targets, values, choice_labels, score)
        return None

    def _areas(
        self,
        column: str,
        score: float,
        values: list[str],
        choice_labels: Mapping[str, Sequence[str]],
    ) -> _Coded | None:
        """REF_AREA on the ISO 3166-2 subdivisions of the country most values name (with
        the country as total), else None."""
        texts = [*values, *(t for ls in choice_labels.values() for t in ls)]
        country = _country_of([t for t in texts if not t.isdigit()]) if texts else None
        if country is None:
            return None
        areas = codes.subdivisions(country)
        targets = {c.id: [c.id, *names_of(c)] for c in areas.codes}
        coded = self._builtin(column, "REF_AREA", areas, targets, values, choice_labels, score)
        coded.total = country
        coded.codelist["codes"].insert(0, {"id": country, "name": {"en": codes.area_name(country)}})
        return coded

    @staticmethod
    def _yes_no(values: list[str], choice_labels: Mapping[str, Sequence[str]]) -> bool:
        names = {v.lower() for v in values} | {c.lower() for c in choice_labels}
        return bool(names) and names <= (_YES | _NO)

    def _against_dsd(
        self,
        column: str,
        labels: list[str],
        prof: ColumnProfile,
        choice_labels: Mapping[str, Sequence[str]],
    ) -> _Coded | None:
        values = list(prof.values)
        best: tuple[float, str] | None = None
        for component in self.dsd_lists:
            if component in self.taken:
                continue
            score = max(
                similarity(t, component.replace("_", " ")) for t in [_short(column), *labels]
            )
            if best is None or score > best[0]:
                best = (score, component)
        if best is None or best[0] < 85:
            return None
        component = best[1]
        _, targets, codelist = self.dsd_lists[component]
        if component == "AGE" and prof.kind == "integer":
            coded = self._age_in(column, codelist, best[0])
            if coded is not None:
                return coded
        targets = {code: [*names, *_words_for(code)] for code, names in targets.items()}
        coded = self._builtin(column, component, codelist, targets, values, choice_labels, best[0])
        coded.codelist = _codelist_dict(codelist)
        coded.from_dsd = True
        return coded

    def _age_in(self, column: str, codelist: Any, score: float) -> _Coded | None:
        """Completed years to the age bands of a DSD's age codelist (its codes that are
        bands: ``Y18T29``, ``Y_GE65`` ...), or None when it has none that do not overlap."""
        bands: dict[str, list[int]] = {}
        for code in codelist.codes:
            if code.id.startswith("_") or not codes.is_age_code(code.id):
                continue
            low, high = codes.parse_age_code(code.id)
            band = [low or 0, 120 if high is None else high]
            if any(band[0] <= b[1] and b[0] <= band[1] for b in bands.values()):
                continue  # overlaps a band kept already (e.g. Y15T24 and Y15T64)
            bands[code.id] = band
        if not bands:
            return None
        self.taken.add("AGE")
        self.matches.append(DraftMatch(column, "AGE", None, score, "age bands of the DSD"))
        data = _codelist_dict(codelist)
        coded = _Coded(column, "AGE", data, {}, {}, score, True, bands=bands)
        coded.from_dsd = True
        return coded

    def _builtin(
        self,
        column: str,
        component: str,
        codelist: Any,
        targets: Mapping[str, Sequence[str]],
        values: list[str],
        choice_labels: Mapping[str, Sequence[str]],
        concept_score: float,
    ) -> _Coded:
        self.taken.add(component)
        scores = match_values(values, targets, choice_labels)
        mapping = _accepted(scores)
        used = sorted(set(mapping.values()))
        data = _codelist_dict(codelist, used)
        self._record(column, component, concept_score, scores)
        return _Coded(column, component, data, mapping, scores, concept_score, True)

    def _invented(
        self,
        column: str,
        prof: ColumnProfile,
        labels: list[str],
        choice_labels: Mapping[str, Sequence[str]],
    ) -> _Coded:
        """A component of its own with codes from the form's choices, else from the
        values grouped by spelling."""
        component = _concept_id(column, self.taken)
        question = self.form.question_for(column) if self.form is not None else None
        if choice_labels and self.form is not None:
            choices = self.form.choices.get(question.list_name or "", []) if question else []
            targets, names = _choice_codes(choices)
            scores = match_values(list(prof.values), targets, choice_labels)
        else:
            scores, names = _value_codes(prof.values)
        mapping = _accepted(scores)
        used = [c for c in names if c in set(mapping.values())]
        name = {"en": labels[0]} if labels else {"en": _short(column)}
        if question is not None:
            name = dict(question.labels) or name
        codelist = {
            "id": f"CL_{component}",
            "name": name,
            "codes": [{"id": c, "name": names[c]} for c in used],
        }
        self._record(column, component, 0.0, scores)
        return _Coded(column, component, codelist, mapping, scores, 0.0, False)

    def _age(self, column: str, score: float) -> _Coded:
        bands = {
            codes.age_band(None, 17): [0, 17],
            codes.age_band(18, 29): [18, 29],
            codes.age_band(30, 44): [30, 44],
            codes.age_band(45, 64): [45, 64],
            codes.age_band(65, None): [65, 120],
        }
        codelist = _codelist_dict(codes.age_codelist(list(bands)))
        codelist["codes"].insert(0, {"id": "_T", "name": {"en": "All ages"}})
        self.matches.append(DraftMatch(column, "AGE", None, score, "age bands"))
        return _Coded(column, "AGE", codelist, {}, {}, score, True, bands=bands)

    def _record(
        self, column: str, component: str, score: float, scores: Mapping[str, ValueMatch]
    ) -> None:
        self.matches.append(DraftMatch(column, component, None, score))
        for value, match in scores.items():
            code = match.code if match.score >= ACCEPT else None
            self.matches.append(
                DraftMatch(column, f"{component}={code}" if code else component, value, match.score)
            )

    # -- the spec ----------------------------------------------------------------------

    def run(self) -> Draft:
        """Give each column its role, then write the spec with a header that sums up the
        submission and lists the columns left out."""
        roles = _Roles()
        for column, cp in self.profile.columns.items():
            self._assign(column, cp, roles)
        doc = self._document(roles)
        return Draft(dump(doc, self._header()), self.matches, self.skipped, self.profile)

    def _header(self) -> list[str]:
        prof = self.profile
        header = [
            f"Draft mapping spec for {prof.path.name}, written by `cdinterop init`.",
            f"{prof.rows} rows, {len(prof.columns)} columns, layout {prof.layout}.",
            "Every guess says its score (0-100) and REVIEW: check each before you publish;",
            "TODO marks metadata to fill in. Run it with:",
            f"  cdinterop convert {prof.path.name} -m SPEC.yaml -o OUT",
        ]
        if self.skipped:
            header.append("Columns not used:")
            header += [f"  {c}: {why}" for c, why in self.skipped.items()]
        return header

    def _assign(self, column: str, cp: ColumnProfile, roles: _Roles) -> None:
        """Give a column the first role that fits: private data, metadata, the time or
        record id, else a coded component or a number (or leave it out, saying why)."""
        qtype = self._question_type(column)
        if self._as_private(column, cp, qtype, roles) or self._as_metadata(column, cp, roles):
            return
        if self._as_time_or_record(column, cp, roles):
            return
        item = self._coded(column, cp)
        if item is not None:
            roles.coded.append(item)
        elif cp.kind in ("integer", "decimal"):
            roles.numeric.append((column, _concept_id(column, self.taken), cp.kind))
        elif column not in self.skipped:
            self.skipped[column] = f"{cp.kind}: not coded"

    def _as_private(self, column: str, cp: ColumnProfile, qtype: str | None, roles: _Roles) -> bool:
        """Kobo ids to pseudonymise (``_uuid`` is also the record id), points to coarsen,
        personal data and free text to drop."""
        if self.kobo and column in ("_uuid", "_submitted_by"):
            roles.pseudonymise.append(column)
            if column == "_uuid":
                roles.record_id = column
        elif cp.kind == "geopoint" or qtype == "geopoint":
            roles.geopoints[column] = {"grid": 0.1}
        elif _PERSONAL.search(_short(column)) or (qtype == "text" and cp.kind == "text"):
            roles.drop.append(column)
        else:
            return False
        return True

    def _as_metadata(self, column: str, cp: ColumnProfile, roles: _Roles) -> bool:
        """Kobo's submission time (the time column), other Kobo metadata and blank columns
        (left out)."""
        if self.kobo and column == "_submission_time":
            roles.time_column = column
        elif self.kobo and (column in _KOBO_META or _short(column).startswith("_")):
            self.skipped[column] = "KoboToolbox metadata"
        elif cp.kind == "empty":
            self.skipped[column] = "always blank"
        else:
            return False
        return True

    def _as_time_or_record(self, column: str, cp: ColumnProfile, roles: _Roles) -> bool:
        """Dates (the first is the time column) and, outside Kobo, the first text column
        with nearly a distinct value per row (the record id)."""
        if cp.kind in ("date", "datetime"):
            if roles.time_column is None:
                roles.time_column = column
            return True
        if (
            not self.kobo
            and roles.record_id is None
            and cp.kind == "text"
            and len(cp.values) * 10 >= cp.filled * 9
        ):
            roles.record_id = column
            return True
        return False

    def _map_note(self, item: _Coded) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for value in sorted(
            item.scores, key=lambda v: (-self.profile.columns[item.column].values[v], v)
        ):
            match = item.scores[value]
            if value in item.mapping:
                why = f" via {match.matched!r}" if match.matched and match.matched != value else ""
                out[value] = Note(item.mapping[value], f"score {match.score:g}{why}; REVIEW")
        return out

    def _document(self, roles: _Roles) -> dict[str, Any]:
        """The spec: source and privacy rules, the unit-record structure with a rule per
        component, the data set's metadata and the aggregation."""
        doc = self._rules(roles)
        unit = _UnitStructure()
        record_component = self._record_component(roles.record_id, unit)
        for item in roles.coded:
            self._coded_component(item, unit)
        if roles.time_column is not None:
            unit.components["TIME_PERIOD"] = self._time_rule(roles.time_column)
        for column, ident, kind in roles.numeric:
            value_type = "integer" if kind == "integer" else "decimal"
            unit.add(ident, {"en": column}, column, {"id": ident, "value_type": value_type})
        for column in roles.geopoints:
            ident = _concept_id(column, self.taken)
            unit.add(ident, {"en": f"{column} (coarsened point)"}, column, {"id": ident})
        doc["structure"] = Note(
            self._unit_structure(unit, roles.time_column),
            "the unit-record structure: REVIEW names and codes",
        )
        doc["components"] = unit.components
        doc["dataset"] = Note(
            self._dataset_metadata(), "TODO: fill in the metadata (see docs/mapping-reference.md)"
        )
        doc["aggregation"] = Note(
            self._aggregation(roles.coded, roles.time_column, record_component),
            "counts per cell with totals, cells under 10 records suppressed: REVIEW",
        )
        return doc

    def _rules(self, roles: _Roles) -> dict[str, Any]:
        """The spec's identity, source, deduplication, privacy and rejection rules."""
        doc: dict[str, Any] = {
            "id": self.spec_id,
            "version": "0.1",
            "description": f"{_PLACEHOLDER}: describe the data (drafted by cdinterop init).",
            "source": {"layout": self.profile.layout},
        }
        if roles.record_id is not None:
            dup = self.profile.columns[roles.record_id]
            doc["deduplicate"] = Note(
                {"name": "duplicate-record", "key": [roles.record_id], "keep": "first"},
                f"{roles.record_id}: {len(dup.values)}{'+' if dup.capped else ''} distinct values"
                f" in {dup.filled} rows; REVIEW",
            )
        privacy: dict[str, Any] = {"drop": roles.drop}
        if roles.pseudonymise:
            privacy["pseudonymise"] = roles.pseudonymise
            privacy["key"] = "env:CDINTEROP_PSEUDONYM_KEY"
        if roles.geopoints:
            privacy["geopoints"] = roles.geopoints
        doc["privacy"] = Note(
            privacy, "personal data dropped, ids pseudonymised, points coarsened: REVIEW"
        )
        doc["unmapped"] = Note(
            "reject", "a value no map covers rejects its row (listed in rejects.csv)"
        )
        doc["max_rejected"] = Note(
            None, "no limit while drafting: set e.g. 0.05 once the maps are reviewed"
        )
        return doc

    def _record_component(self, record_id: str | None, unit: _UnitStructure) -> str | None:
        """The dimension of the record id (RESPONDENT for Kobo), or None without one."""
        if record_id is None:
            return None
        ident = "RESPONDENT" if self.kobo else _concept_id(record_id, self.taken)
        unit.concepts.append({"id": ident, "name": {"en": f"Record ({record_id})"}})
        unit.dimensions.append({"id": ident})
        unit.components[ident] = {"from": record_id}
        return ident

    def _coded_component(self, item: _Coded, unit: _UnitStructure) -> None:
        """A coded dimension: its concept (unless standard), codelist and rule (bands, or a
        value map whose every guess says its score)."""
        if item.component not in codes.CROSS_DOMAIN_CONCEPTS:
            unit.concepts.append({"id": item.component, "name": {"en": _short(item.column)}})
        unit.codelists.append(_listed(item, [c["id"] for c in item.codelist["codes"]]))
        unit.dimensions.append({"id": item.component, "codelist": _listed_as(item)})
        rule: dict[str, Any] = {"from": item.column}
        if item.bands is not None:
            rule["bands"] = item.bands
        else:
            rule["map"] = self._map_note(item)
            missed = sorted(v for v in item.scores if v not in item.mapping)
            if missed:
                rule["description"] = (
                    f"REVIEW: no code found for {', '.join(missed)} (rows rejected)"
                )
        note = (
            f"score {item.concept_score:g}; REVIEW"
            if item.builtin
            else "codes from the values; REVIEW"
        )
        unit.components[item.component] = Note(rule, f"{item.component} from {item.column}: {note}")

    def _time_rule(self, time_column: str) -> Note:
        """TIME_PERIOD from the time column, read in the date formats it was seen in."""
        formats = list(self.profile.columns[time_column].date_formats) or [
            "iso-date",
            "iso-datetime",
        ]
        if "iso-datetime" in formats and "iso-date" not in formats:
            formats.append("iso-date")
        return Note(
            {"from": time_column, "period": "D", "date_formats": formats},
            f"TIME_PERIOD from {time_column}: REVIEW",
        )

    def _unit_structure(self, unit: _UnitStructure, time_column: str | None) -> dict[str, Any]:
        """The unit-record structure: one RECORDS measure of 1 per row."""
        structure: dict[str, Any] = {
            "id": f"DSD_{code_id(self.spec_id)}_UNIT",
            "agency": _PLACEHOLDER,
            "version": "0.1",
            "name": {"en": f"{_PLACEHOLDER}: unit records of {self.profile.path.name}"},
            "concepts": unit.concepts,
            "codelists": unit.codelists,
            "dimensions": unit.dimensions,
        }
        if time_column is not None:
            structure["time_dimension"] = {"id": "TIME_PERIOD"}
        unit.concepts.append({"id": "RECORDS", "name": {"en": "Records (1 per row)"}})
        structure["measures"] = [{"id": "RECORDS", "value_type": "integer"}]
        unit.components["RECORDS"] = {"value": 1, "description": "Each row counts once."}
        structure["attributes"] = unit.attributes
        return structure

    def _dataset_metadata(self) -> dict[str, Any]:
        """The unit-record data set's identity and metadata, TODO where it needs filling in."""
        name = self.profile.path.name
        return {
            "id": f"DF_{code_id(self.spec_id)}_UNIT",
            "agency": _PLACEHOLDER,
            "version": "0.1",
            "title": {"en": f"{_PLACEHOLDER}: title of {name}"},
            "description": {"en": f"{_PLACEHOLDER}: what the data are, who collected them, how."},
            "access_rights": "restricted",
        }

    def _aggregation(
        self, coded: list[_Coded], time_column: str | None, record: str | None
    ) -> dict[str, Any]:
        ranked = sorted(coded, key=lambda c: (not c.builtin, coded.index(c)))[:MAX_AGG_DIMENSIONS]
        chosen = [c for c in coded if c in ranked]
        # standard concepts (FREQ, TIME_PERIOD, OBS_STATUS ...) and lists are referenced
        concepts: list[dict[str, Any]] = []
        codelists: list[dict[str, Any] | str] = [{"ref": "SDMX:CL_FREQ", "codes": ["A"]}]
        dimensions: list[dict[str, Any]] = [{"id": "FREQ", "codelist": "CL_FREQ"}]
        rules: dict[str, Any] = {"FREQ": {"value": "A"}}
        for item in chosen:
            if item.component not in codes.CROSS_DOMAIN_CONCEPTS:
                concepts.append({"id": item.component, "name": {"en": _short(item.column)}})
            used = [c["id"] for c in item.codelist["codes"]]
            if item.total not in used:
                used.insert(0, item.total)
            codelist = _listed(item, used)
            if "ref" not in codelist and not any(c["id"] == item.total for c in codelist["codes"]):
                codelist["codes"].insert(0, {"id": item.total, "name": {"en": "Total"}})
            codelists.append(codelist)
            dimensions.append({"id": item.component, "codelist": _listed_as(item)})
            rule: dict[str, Any] = {"from": item.component}
            if item.total != "_T":
                rule["total"] = item.total
            rules[item.component] = rule
        codelists += ["SDMX:CL_OBS_STATUS", "SDMX:CL_CONF_STATUS"]
        concepts.append({"id": "OBS_VALUE", "name": {"en": "Number of records"}})
        structure: dict[str, Any] = {
            "id": f"DSD_{code_id(self.spec_id)}",
            "agency": _PLACEHOLDER,
            "name": {"en": f"{_PLACEHOLDER}: name of the published table"},
            "concepts": concepts,
            "codelists": codelists,
            "dimensions": dimensions,
        }
        if time_column is not None:
            structure["time_dimension"] = {"id": "TIME_PERIOD"}
            rules["TIME_PERIOD"] = {"from": "TIME_PERIOD", "period": "A"}
        structure["attributes"] = [
            {"id": "OBS_STATUS", "codelist": "CL_OBS_STATUS", "usage": "mandatory"},
            {"id": "CONF_STATUS", "codelist": "CL_CONF_STATUS"},
        ]
        structure["measures"] = [{"id": "OBS_VALUE", "value_type": "integer"}]
        out: dict[str, Any] = {
            "structure": structure,
            "dimensions": rules,
            "measure": {"type": "count"},
        }
        if record is not None:
            out["contributors"] = record
        out["disclosure"] = {"method": "cell_suppression", "threshold": 10, "secondary": True}
        out["output"] = {
            "id": f"DF_{code_id(self.spec_id)}",
            "title": {"en": f"{_PLACEHOLDER}: title of the published table"},
            "access_rights": "public",
        }
        return out

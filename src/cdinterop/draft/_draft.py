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
from cdinterop.draft._xlsform import FormDefinition, read_xlsform
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


def _read_structure(path: Path) -> Any:
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
    structure file whose codelists the values are matched to. The draft loads as an
    [`IngestSpec`][cdinterop.ingest.IngestSpec] and runs with ``cdinterop convert``;
    every guess carries its score and ``REVIEW`` in a YAML comment.

    Raises [`ReadError`][cdinterop.errors.ReadError] when a file cannot be read and
    [`MissingExtraError`][cdinterop.errors.MissingExtraError] without the ``draft`` extra.
    """
    from cdinterop.draft._match import _fuzz

    _fuzz()
    profile = profile_submission(submission)
    definition = read_xlsform(form) if form is not None else None
    dsd = _read_structure(Path(structure)) if structure is not None else None
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
        labels, choice_labels = _form_labels(self.form, column)
        qtype = self._question_type(column)
        if qtype == "select_multiple":
            self.skipped[column] = "select_multiple: map its split 0/1 columns instead"
            return None
        values = list(prof.values)
        # 1. a component of the given DSD
        if self.dsd_lists:
            coded = self._against_dsd(column, labels, values, choice_labels)
            if coded is not None:
                return coded
        concept, concept_score = _concept_for(column, labels, self.taken)
        if concept == "AGE" and prof.kind == "integer":
            self.taken.add("AGE")
            return self._age(column, concept_score)
        if prof.kind != "choice" and qtype not in ("select_one",):
            return None
        if concept == "SEX":
            targets = {
                c.id: [c.id, *names_of(c), *_SEX_WORDS.get(c.id, [])] for c in codes.SEX.codes
            }
            targets = {k: v for k, v in targets.items() if k in ("F", "M", "_O", "_U")}
            return self._builtin(
                column, "SEX", codes.SEX, targets, values, choice_labels, concept_score
            )
        if concept == "DISABILITY_STATUS" and self._yes_no(values, choice_labels):
            targets = {
                "PD": ["PD", *names_of(codes.DISABILITY_STATUS.codes[0]), *_YES],
                "NPD": ["NPD", *names_of(codes.DISABILITY_STATUS.codes[1]), *_NO],
            }
            return self._builtin(
                column,
                "DISABILITY_STATUS",
                codes.DISABILITY_STATUS,
                targets,
                values,
                choice_labels,
                concept_score,
            )
        if "REF_AREA" not in self.taken:
            texts = [*values, *(t for ls in choice_labels.values() for t in ls)]
            country = _country_of([t for t in texts if not t.isdigit()]) if texts else None
            if country is not None:
                areas = codes.subdivisions(country)
                targets = {c.id: [c.id, *names_of(c)] for c in areas.codes}
                coded = self._builtin(
                    column, "REF_AREA", areas, targets, values, choice_labels, concept_score
                )
                coded.total = country
                coded.codelist["codes"].insert(
                    0, {"id": country, "name": {"en": codes.area_name(country)}}
                )
                return coded
        return self._invented(column, prof, labels, choice_labels)

    @staticmethod
    def _yes_no(values: list[str], choice_labels: Mapping[str, Sequence[str]]) -> bool:
        names = {v.lower() for v in values} | {c.lower() for c in choice_labels}
        return bool(names) and names <= (_YES | _NO)

    def _against_dsd(
        self,
        column: str,
        labels: list[str],
        values: list[str],
        choice_labels: Mapping[str, Sequence[str]],
    ) -> _Coded | None:
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
        coded = self._builtin(column, component, codelist, targets, values, choice_labels, best[0])
        coded.codelist = _codelist_dict(codelist)
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
        mapping = {v: m.code for v, m in scores.items() if m.code is not None and m.score >= ACCEPT}
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
        component = _concept_id(column, self.taken)
        names: dict[str, dict[str, str]] = {}
        if choice_labels:
            question = self.form.question_for(column) if self.form is not None else None
            choices = (
                self.form.choices.get(question.list_name or "", [])
                if self.form is not None and question is not None
                else []
            )
            targets: dict[str, list[str]] = {}
            for choice in choices:
                ident = code_id(choice.name)
                targets[ident] = [choice.name, *choice.labels.values()]
                names[ident] = dict(choice.labels) or {"en": choice.name}
            scores = match_values(list(prof.values), targets, choice_labels)
        else:
            clusters = cluster_values(prof.values)
            scores = {v: ValueMatch(v, code, score, None) for v, (code, score) in clusters.items()}
            for value in sorted(prof.values, key=lambda v: -prof.values[v]):
                names.setdefault(clusters[value][0], {"en": value})
        mapping = {v: m.code for v, m in scores.items() if m.code is not None and m.score >= ACCEPT}
        used = [c for c in names if c in set(mapping.values())]
        name = {"en": labels[0]} if labels else {"en": _short(column)}
        if self.form is not None and self.form.question_for(column) is not None:
            name = dict(self.form.question_for(column).labels) or name  # type: ignore[union-attr]
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
        prof = self.profile
        drop: list[str] = []
        pseudonymise: list[str] = []
        geopoints: dict[str, Any] = {}
        coded: list[_Coded] = []
        numeric: list[tuple[str, str, str]] = []
        record_id: str | None = None
        time_column: str | None = None
        for column, cp in prof.columns.items():
            short = _short(column)
            qtype = self._question_type(column)
            if self.kobo and column in ("_uuid", "_submitted_by"):
                pseudonymise.append(column)
                if column == "_uuid":
                    record_id = column
                continue
            if cp.kind == "geopoint" or qtype == "geopoint":
                geopoints[column] = {"grid": 0.1}
                continue
            if _PERSONAL.search(short) or (qtype == "text" and cp.kind == "text"):
                drop.append(column)
                continue
            if self.kobo and column == "_submission_time":
                time_column = column
                continue
            if self.kobo and (column in _KOBO_META or short.startswith("_")):
                self.skipped[column] = "KoboToolbox metadata"
                continue
            if cp.kind == "empty":
                self.skipped[column] = "always blank"
                continue
            if cp.kind in ("date", "datetime"):
                if time_column is None:
                    time_column = column
                continue
            if (
                not self.kobo
                and record_id is None
                and cp.kind == "text"
                and len(cp.values) * 10 >= cp.filled * 9
            ):
                record_id = column
                continue
            item = self._coded(column, cp)
            if item is not None:
                coded.append(item)
            elif cp.kind in ("integer", "decimal"):
                numeric.append((column, _concept_id(column, self.taken), cp.kind))
            elif column not in self.skipped:
                self.skipped[column] = f"{cp.kind}: not coded"
        doc = self._document(drop, pseudonymise, geopoints, coded, numeric, record_id, time_column)
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
        return Draft(dump(doc, header), self.matches, self.skipped, prof)

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

    def _document(
        self,
        drop: list[str],
        pseudonymise: list[str],
        geopoints: dict[str, Any],
        coded: list[_Coded],
        numeric: list[tuple[str, str, str]],
        record_id: str | None,
        time_column: str | None,
    ) -> dict[str, Any]:
        prof = self.profile
        doc: dict[str, Any] = {
            "id": self.spec_id,
            "version": "0.1",
            "description": f"{_PLACEHOLDER}: describe the data (drafted by cdinterop init).",
            "source": {"layout": prof.layout},
        }
        if record_id is not None:
            dup = prof.columns[record_id]
            doc["deduplicate"] = Note(
                {"name": "duplicate-record", "key": [record_id], "keep": "first"},
                f"{record_id}: {len(dup.values)}{'+' if dup.capped else ''} distinct values"
                f" in {dup.filled} rows; REVIEW",
            )
        privacy: dict[str, Any] = {"drop": drop}
        if pseudonymise:
            privacy["pseudonymise"] = pseudonymise
            privacy["key"] = "env:CDINTEROP_PSEUDONYM_KEY"
        if geopoints:
            privacy["geopoints"] = geopoints
        doc["privacy"] = Note(
            privacy, "personal data dropped, ids pseudonymised, points coarsened: REVIEW"
        )
        doc["unmapped"] = Note(
            "reject", "a value no map covers rejects its row (listed in rejects.csv)"
        )
        doc["max_rejected"] = Note(
            None, "no limit while drafting: set e.g. 0.05 once the maps are reviewed"
        )

        concepts: list[dict[str, Any]] = []
        codelists: list[dict[str, Any]] = []
        dimensions: list[dict[str, Any]] = []
        attributes: list[dict[str, Any]] = []
        components: dict[str, Any] = {}
        record_component = None
        if record_id is not None:
            record_component = "RESPONDENT" if self.kobo else _concept_id(record_id, self.taken)
            concepts.append({"id": record_component, "name": {"en": f"Record ({record_id})"}})
            dimensions.append({"id": record_component})
            components[record_component] = {"from": record_id}
        for item in coded:
            concepts.append({"id": item.component, "name": {"en": _short(item.column)}})
            codelist = {k: v for k, v in item.codelist.items() if k != "agency"}
            codelist["id"] = f"CL_{item.component}"
            codelists.append(codelist)
            dimensions.append({"id": item.component, "codelist": codelist["id"]})
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
            components[item.component] = Note(rule, f"{item.component} from {item.column}: {note}")
        if time_column is not None:
            concepts.append({"id": "TIME_PERIOD", "name": {"en": "Time period"}})
            formats = list(prof.columns[time_column].date_formats) or ["iso-date", "iso-datetime"]
            if "iso-datetime" in formats and "iso-date" not in formats:
                formats.append("iso-date")
            components["TIME_PERIOD"] = Note(
                {"from": time_column, "period": "D", "date_formats": formats},
                f"TIME_PERIOD from {time_column}: REVIEW",
            )
        for column, ident, kind in numeric:
            concepts.append({"id": ident, "name": {"en": column}})
            attributes.append(
                {"id": ident, "value_type": "integer" if kind == "integer" else "decimal"}
            )
            components[ident] = {"from": column}
        for column in geopoints:
            ident = _concept_id(column, self.taken)
            concepts.append({"id": ident, "name": {"en": f"{column} (coarsened point)"}})
            attributes.append({"id": ident})
            components[ident] = {"from": column}
        structure: dict[str, Any] = {
            "id": f"DSD_{code_id(self.spec_id)}_UNIT",
            "agency": _PLACEHOLDER,
            "version": "0.1",
            "name": {"en": f"{_PLACEHOLDER}: unit records of {prof.path.name}"},
            "concepts": concepts,
            "codelists": codelists,
            "dimensions": dimensions,
        }
        if time_column is not None:
            structure["time_dimension"] = {"id": "TIME_PERIOD"}
        concepts.append({"id": "RECORDS", "name": {"en": "Records (1 per row)"}})
        structure["measures"] = [{"id": "RECORDS", "value_type": "integer"}]
        components["RECORDS"] = {"value": 1, "description": "Each row counts once."}
        structure["attributes"] = attributes
        doc["structure"] = Note(structure, "the unit-record structure: REVIEW names and codes")
        doc["components"] = components
        doc["dataset"] = Note(
            {
                "id": f"DF_{code_id(self.spec_id)}_UNIT",
                "agency": _PLACEHOLDER,
                "version": "0.1",
                "title": {"en": f"{_PLACEHOLDER}: title of {prof.path.name}"},
                "description": {
                    "en": f"{_PLACEHOLDER}: what the data are, who collected them, how."
                },
                "access_rights": "restricted",
            },
            "TODO: fill in the metadata (see docs/mapping-reference.md)",
        )
        doc["aggregation"] = Note(
            self._aggregation(coded, time_column, record_component),
            "counts per cell with totals, cells under 10 records suppressed: REVIEW",
        )
        return doc

    def _aggregation(
        self, coded: list[_Coded], time_column: str | None, record: str | None
    ) -> dict[str, Any]:
        ranked = sorted(coded, key=lambda c: (not c.builtin, coded.index(c)))[:MAX_AGG_DIMENSIONS]
        chosen = [c for c in coded if c in ranked]
        concepts: list[dict[str, Any]] = [{"id": "FREQ", "name": {"en": "Frequency"}}]
        codelists: list[dict[str, Any]] = [_codelist_dict(codes.FREQ, ["A"])]
        codelists[0].pop("agency", None)
        dimensions: list[dict[str, Any]] = [{"id": "FREQ", "codelist": codelists[0]["id"]}]
        rules: dict[str, Any] = {"FREQ": {"value": "A"}}
        for item in chosen:
            concepts.append({"id": item.component, "name": {"en": _short(item.column)}})
            codelist = {k: v for k, v in item.codelist.items() if k != "agency"}
            codelist = {**codelist, "id": f"CL_{item.component}", "codes": list(codelist["codes"])}
            if not any(c["id"] == item.total for c in codelist["codes"]):
                codelist["codes"].insert(0, {"id": item.total, "name": {"en": "Total"}})
            codelists.append(codelist)
            dimensions.append({"id": item.component, "codelist": codelist["id"]})
            rule: dict[str, Any] = {"from": item.component}
            if item.total != "_T":
                rule["total"] = item.total
            rules[item.component] = rule
        for status in (codes.OBS_STATUS, codes.CONF_STATUS):
            data = _codelist_dict(status)
            data.pop("agency", None)
            codelists.append(data)
        concepts += [
            {"id": "TIME_PERIOD", "name": {"en": "Time period"}},
            {"id": "OBS_VALUE", "name": {"en": "Number of records"}},
            {"id": "OBS_STATUS", "name": {"en": "Observation status"}},
            {"id": "CONF_STATUS", "name": {"en": "Confidentiality status"}},
        ]
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

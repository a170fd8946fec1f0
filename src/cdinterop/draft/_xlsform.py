"""Read an XLSForm (the KoboToolbox / ODK form definition) into questions and choice lists.

The ``survey`` sheet lists the questions (``type``, ``name``, labels); ``begin_group`` /
``end_group`` rows (and ``begin_repeat`` / ``end_repeat``) nest them, which gives Kobo's
full column names (``group/question``). The ``choices`` sheet lists the choice lists
(``list_name``, ``name``, labels). Labels come in one column per language,
``label::English (en)``; a plain ``label`` column is the form's default language.

The sheets are read with cdinterop's own XLSX reader (python-calamine, the ``xlsx``
extra), which gives every cell as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cdinterop.errors import ReadError
from cdinterop.ingest import Layout, SourceOptions, open_submission

__all__ = ["Choice", "FormDefinition", "Question", "read_xlsform"]

_LABEL = re.compile(r"label(?:::(?P<language>.+))?", re.IGNORECASE)
_CODE = re.compile(r"\((?P<code>[A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*)\)\s*$")


@dataclass(frozen=True)
class Choice:
    """One choice of a list: its XML value (``name``) and its labels by language."""

    name: str
    labels: dict[str, str]


@dataclass(frozen=True)
class Question:
    """One question of the form: type (``select_one``, ``integer``, ...), the choice list
    it uses, its short and full (group path) names and its labels by language."""

    type: str
    name: str
    path: str
    labels: dict[str, str]
    list_name: str | None = None


@dataclass
class FormDefinition:
    """The questions (by full name) and choice lists (by list name) of an XLSForm, with the
    languages of its labels."""

    path: Path
    questions: dict[str, Question] = field(default_factory=dict)
    choices: dict[str, list[Choice]] = field(default_factory=dict)
    languages: list[str] = field(default_factory=list)
    title: str | None = None

    def question_for(self, column: str) -> Question | None:
        """The question behind a submission column, by full name, else by short name
        when exactly one question has it."""
        if column in self.questions:
            return self.questions[column]
        short = column.rsplit("/", 1)[-1]
        found = [q for q in self.questions.values() if q.name == short]
        return found[0] if len(found) == 1 else None


def _language(column: str, default: str) -> str | None:
    match = _LABEL.fullmatch(column.strip())
    if match is None:
        return None
    name = match.group("language")
    if name is None:
        return default
    code = _CODE.search(name)
    if code is not None:
        return code.group("code").lower()
    plain = name.strip().lower()
    return plain if re.fullmatch(r"[a-z]{2,3}", plain) else None


def _rows(path: Path, sheet: str) -> list[dict[str, str]]:
    options = SourceOptions(layout=Layout.XLSX, sheet=sheet)
    rows: list[dict[str, str]] = []
    with open_submission(path, options) as workbook:
        for batch in workbook.batches():
            for record in batch.to_pylist():
                rows.append(
                    {
                        str(key).strip(): str(value).strip()
                        for key, value in record.items()
                        if key != "_row" and value is not None and str(value).strip()
                    }
                )
    return rows


def _labels(row: dict[str, str], default: str) -> dict[str, str]:
    labels: dict[str, str] = {}
    for column, text in row.items():
        language = _language(column, default)
        if language is not None:
            labels.setdefault(language, text)
    return labels


def read_xlsform(path: str | Path) -> FormDefinition:
    """Read the ``survey`` and ``choices`` sheets of an XLSForm workbook.

    Raises [`ReadError`][cdinterop.errors.ReadError] when the file cannot be read or has
    no ``survey`` sheet with ``type`` and ``name`` columns.
    """
    path = Path(path)
    settings = _optional_rows(path, "settings")
    survey = _survey_rows(path)
    choice_rows = _optional_rows(path, "choices")
    default = _default_language(settings)
    form = FormDefinition(path=path, title=settings[0].get("form_title") if settings else None)
    languages: dict[str, None] = {}
    for question in _questions(survey, default):
        languages.update(dict.fromkeys(question.labels))
        form.questions[question.path] = question
    for list_name, choice in _choices(choice_rows, default):
        languages.update(dict.fromkeys(choice.labels))
        form.choices.setdefault(list_name, []).append(choice)
    form.languages = list(languages)
    return form


def _optional_rows(path: Path, sheet: str) -> list[dict[str, str]]:
    """The rows of a sheet a form may leave out (none when it has no such sheet)."""
    try:
        return _rows(path, sheet)
    except ReadError:
        return []


def _survey_rows(path: Path) -> list[dict[str, str]]:
    """The rows of the ``survey`` sheet; ReadError when the file is not an XLSForm."""
    try:
        survey = _rows(path, "survey")
    except ReadError as exc:
        cause = exc.reason.split(", but ")[0]
        raise ReadError(
            str(path), f"not an XLSForm (an XLSX workbook with a survey sheet): {cause}"
        ) from None
    if not survey or not any("type" in row for row in survey):
        raise ReadError(str(path), "not an XLSForm: the survey sheet has no type column")
    return survey


def _default_language(settings: list[dict[str, str]]) -> str:
    """The code of the ``settings`` sheet's ``default_language`` (``English (en)``), else en."""
    code = _CODE.search(settings[0].get("default_language", "")) if settings else None
    return code.group("code").lower() if code else "en"


def _questions(survey: list[dict[str, str]], default: str) -> Iterator[Question]:
    """The questions of the survey rows, named by their group path; group rows only nest."""
    groups: list[str] = []
    for row in survey:
        kind = " ".join(row.get("type", "").split())
        name = row.get("name", "")
        for spaced in ("begin group", "begin repeat", "end group", "end repeat"):
            if kind.lower().startswith(spaced):  # XLSForm allows a space for the underscore
                kind = spaced.replace(" ", "_") + kind[len(spaced) :]
        head, _, rest = kind.partition(" ")
        if head in ("begin_group", "begin_repeat"):
            groups.append(name)
        elif head in ("end_group", "end_repeat"):
            if groups:
                groups.pop()
        elif name and kind:
            selects = head in ("select_one", "select_multiple") and rest
            list_name = rest.split()[0] if selects else None
            full = "/".join([*(g for g in groups if g), name])
            yield Question(head, name, full, _labels(row, default), list_name)


def _choices(rows: list[dict[str, str]], default: str) -> Iterator[tuple[str, Choice]]:
    """(list name, choice) of the ``choices`` rows that have both."""
    for row in rows:
        choice_list = row.get("list_name") or row.get("list name")
        choice_name = row.get("name")
        if choice_list and choice_name is not None:
            yield choice_list, Choice(choice_name, _labels(row, default))

"""Draft a mapping spec from a submission file: ``cdinterop init``.

[`draft_spec()`][cdinterop.draft.draft_spec] profiles each column of a submission (type,
distinct values, blanks: [`profile_submission()`][cdinterop.draft.profile_submission]),
reads the XLSForm it was collected with ([`read_xlsform()`][cdinterop.draft.read_xlsform]:
questions, choice lists and their labels in every language), proposes column -> concept
and value -> code matches against the built-in codelists ([`cdinterop.codes`][cdinterop.codes])
or a given SDMX structure, each with a score from rapidfuzz, and writes an ingest +
aggregation spec as commented YAML that runs with ``cdinterop convert``::

    from cdinterop.draft import draft_spec

    draft = draft_spec("submissions-kobo.csv", form="form.xlsx")
    Path("spec.yaml").write_text(draft.text)

Needs the ``draft`` extra (rapidfuzz, python-calamine).
"""

from __future__ import annotations

from cdinterop.draft._draft import Draft, DraftMatch, draft_spec
from cdinterop.draft._profile import ColumnProfile, SubmissionProfile, profile_submission
from cdinterop.draft._xlsform import Choice, FormDefinition, Question, read_xlsform

__all__ = [
    "Choice",
    "ColumnProfile",
    "Draft",
    "DraftMatch",
    "FormDefinition",
    "Question",
    "SubmissionProfile",
    "draft_spec",
    "profile_submission",
    "read_xlsform",
]

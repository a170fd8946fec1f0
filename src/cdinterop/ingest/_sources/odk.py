"""ODK Central export specifics: layout detection and the form-version column.

ODK Central's CSV export names group fields ``group-field`` and adds the metadata
columns ``SubmissionDate``, ``meta-instanceID``, ``KEY``, ``SubmitterID``,
``SubmitterName``, ``AttachmentsPresent``, ``AttachmentsExpected``, ``Status``,
``ReviewState``, ``DeviceID``, ``Edits`` and ``FormVersion``; the reader keeps them all
as columns. ``SourceInfo.form_version`` is the most frequent ``FormVersion`` value.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["ODK_FORM_VERSION_COLUMN", "ODK_GROUP_SEPARATOR", "is_odk_header"]

ODK_FORM_VERSION_COLUMN = "FormVersion"
"""The column of an ODK Central export that holds the form version."""
ODK_GROUP_SEPARATOR = "-"
"""The separator ODK Central puts between group and field names."""


def is_odk_header(columns: Iterable[str]) -> bool:
    """Whether a header looks like an ODK Central CSV export: ``SubmissionDate`` and
    ``meta-instanceID`` or ``KEY``."""
    names = set(columns)
    return "SubmissionDate" in names and bool(names & {"meta-instanceID", "KEY"})

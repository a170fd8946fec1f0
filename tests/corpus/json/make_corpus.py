"""Regenerate the malformed-JSON corpus: ``python tests/corpus/json/make_corpus.py``.

Each file breaks one rule of the data set JSON; ``expected.json`` says how it must fail
(``read``: not parseable at all; ``invalid``: parseable, with these located issues).
The corpus is derived from a small valid data set written out below, not from examples.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

VALID: dict[str, Any] = {
    "id": "DF_CORPUS",
    "agency": "TEST",
    "title": {"en": "Corpus base"},
    "licence": "CC-BY-4.0",
    "publisher": "ORG",
    "structure": {
        "id": "DSD_CORPUS",
        "agency": "TEST",
        "name": {"en": "Corpus structure"},
        "concepts": [{"id": i, "name": {"en": i}} for i in ("SEX", "TIME_PERIOD", "OBS_VALUE")],
        "codelists": [
            {
                "id": "CL_SEX",
                "name": {"en": "Sex"},
                "codes": [{"id": c, "name": {"en": c}} for c in ("F", "M", "_T")],
            }
        ],
        "dimensions": [{"id": "SEX", "codelist": "CL_SEX"}],
        "time_dimension": {"id": "TIME_PERIOD"},
    },
    "observations": [
        {"SEX": "F", "TIME_PERIOD": "2023", "OBS_VALUE": 1.0},
        {"SEX": "M", "TIME_PERIOD": "2023", "OBS_VALUE": 2.0},
    ],
    "provenance": {"agents": [{"id": "ORG", "kind": "organisation", "name": "CSO"}]},
}


def variant(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(VALID)
    data.update(changes)
    return data


def main() -> None:
    expected: dict[str, dict[str, Any]] = {}
    raw = {
        "not-json.json": (b"this is not json\n", "not valid JSON"),
        "truncated.json": (json.dumps(VALID).encode()[:120], "not valid JSON"),
        "array-root.json": (b"[1, 2, 3]\n", "expected a JSON object"),
        "latin1.json": ('{"id": "caf\u00e9"}'.encode("latin-1"), "not UTF-8"),
        "empty.json": (b"", "not valid JSON"),
    }
    for name, (content, message) in raw.items():
        (HERE / name).write_bytes(content)
        expected[name] = {"error": "read", "message": message}

    obs = copy.deepcopy(VALID["observations"])
    obs[1]["SEX"] = "X"
    obs.append({"SEX": "F", "TIME_PERIOD": "2023", "OBS_VALUE": "n/a"})
    invalid = {
        "unknown-field.json": (
            variant(colour="red"),
            [["colour", "extra-forbidden"]],
            "Extra inputs",
        ),
        "wrong-code.json": (
            variant(observations=obs),
            [
                ["observations[1].SEX", "unknown-code"],
                ["observations[2].OBS_VALUE", "wrong-type"],
                ["observations[2]", "duplicate-key"],
            ],
            "'X' is not a code",
        ),
        "reversed-period.json": (
            variant(temporal_coverage={"start": "2024-12-31", "end": "2024-01-01"}),
            [["temporal_coverage", "rule"]],
            "after end",
        ),
        "bad-licence.json": (
            variant(licence="All rights reserved"),
            [["licence", "rule"]],
            "SPDX",
        ),
        "bad-language.json": (
            variant(title={"english": "x"}),
            [["title.english.[key]", "rule"]],
            "BCP 47",
        ),
        "missing-structure.json": (
            {k: v for k, v in VALID.items() if k != "structure"},
            [["structure", "missing"]],
            "Field required",
        ),
        "unknown-publisher.json": (
            variant(publisher="NOBODY"),
            [["publisher", "rule"]],
            "not an agent",
        ),
        "bad-period-and-metadata.json": (
            variant(
                licence="nope",
                observations=[{"SEX": "F", "TIME_PERIOD": "2023-Q9", "OBS_VALUE": 1}],
            ),
            [["licence", "rule"], ["observations[0].TIME_PERIOD", "malformed-period"]],
            "outside 1..4",
        ),
        "observations-not-list.json": (
            variant(observations="lots"),
            [["observations", "rule"]],
            "list of objects",
        ),
        "bad-engagement.json": (
            variant(
                participation={
                    "initiator": "community",
                    "engagement_level": 7,
                    "stages": ["design"],
                }
            ),
            [["participation.engagement_level", "enum"]],
            "Input should be",
        ),
    }
    for name, (data, issues, message) in invalid.items():
        (HERE / name).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        expected[name] = {"error": "invalid", "issues": issues, "message": message}
    (HERE / "expected.json").write_text(json.dumps(expected, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()

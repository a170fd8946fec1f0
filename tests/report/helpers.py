"""What the report tests share: synthetic summary sections in the shapes the other steps
write, and a parser that reads the figures off a report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import cdinterop
from cdinterop.model import CitizenDataset, Observations

ROOT = Path(__file__).resolve().parents[2]
SUBMISSION = ROOT / "examples" / "public-services-satisfaction" / "submissions-kobo.csv"
SPEC = ROOT / "mappings" / "services-survey-kobo.yaml"
KEY = "a-long-secret-key-for-the-tests"

QUALITY = [
    {
        "metric": "completeness",
        "value": 0.993,
        "unit": "share",
        "component": "AGE",
        "dimension": "completeness",
    },
    {
        "metric": "completeness",
        "value": 1.0,
        "unit": "share",
        "component": "SEX",
        "dimension": "completeness",
    },
    {
        "metric": "validity",
        "value": 0.0093,
        "unit": "share",
        "qualifier": "respondent/age",
        "dimension": "accuracy",
    },
    {"metric": "timeliness", "value": 41, "unit": "days", "computed_at": "2026-12-07T05:00:00Z"},
]
REPRESENTATIVENESS = {
    "benchmark": "KNBS 2019 census (invented for the tests)",
    "dimensions": {
        "SEX": {
            "groups": [
                {
                    "code": "F",
                    "sample": 516,
                    "sample_share": 0.5386,
                    "population_share": 0.5031,
                    "difference": 0.0355,
                    "ratio": 1.0706,
                    "flag": None,
                },
                {
                    "code": "M",
                    "sample": 442,
                    "sample_share": 0.4614,
                    "population_share": 0.4969,
                    "difference": -0.0355,
                    "ratio": 0.9286,
                    "flag": None,
                },
            ],
            "total_variation": 0.0355,
        },
        "AGE": {
            "groups": [
                {
                    "code": "Y18T29",
                    "sample": 309,
                    "sample_share": 0.3225,
                    "population_share": 0.35,
                    "difference": -0.0275,
                    "ratio": 0.9214,
                    "flag": None,
                },
                {
                    "code": "Y_GE65",
                    "sample": 0,
                    "sample_share": 0.0,
                    "population_share": 0.08,
                    "difference": -0.08,
                    "ratio": 0.0,
                    "flag": "missing",
                },
            ],
            "total_variation": 0.1075,
        },
    },
    "joint": None,
    "r_indicator": 0.874,
    "flagged": [{"dimension": "AGE", "code": "Y_GE65", "flag": "missing"}],
}
WEIGHTING = {
    "method": "raking",
    "library": "balance",
    "margins": ["REF_AREA", "SEX", "AGE"],
    "iterations": 7,
    "converged": True,
    "trim": 5.0,
    "trimmed": 3,
    "design_effect": 1.2431,
    "effective_sample_size": 770.7,
    "weights": {"min": 0.41, "max": 4.87, "mean": 1.0},
}
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> & $x$'


def summary_of(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    return data


def full_summary(folder: Path) -> dict[str, Any]:
    """The run's summary with the quality, representativeness and weighting sections."""
    return {
        **summary_of(folder),
        "quality": QUALITY,
        "representativeness": REPRESENTATIVENESS,
        "weighting": WEIGHTING,
    }


def with_bounds(dataset: CitizenDataset) -> CitizenDataset:
    """The data set with LOWER_BOUND / UPPER_BOUND on every published value (a Wilson
    style interval, ±3 points: what matters here is that they are shown)."""
    rows = dataset.observations.to_records()
    for row in rows:
        value = row["OBS_VALUE"]
        row["LOWER_BOUND"] = None if value is None else round(value - 3.0, 1)
        row["UPPER_BOUND"] = None if value is None else round(value + 3.0, 1)
    return dataset.model_copy(update={"observations": Observations.from_records(rows)})


def load(folder: Path) -> CitizenDataset:
    return cdinterop.load(folder / "dataset.json")


class Page(HTMLParser):
    """The elements of a page: (tag, attributes, text inside) for each, and the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.texts: dict[int, list[str]] = {}
        self.open: list[int] = []
        self.all_text: list[str] = []
        self.tag_stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag not in ("meta", "br", "link", "img", "input", "path", "use", "rect", "line"):
            self.open.append(len(self.elements) - 1)
            self.tag_stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.tag_stack:
            while self.tag_stack:
                self.open.pop()
                if self.tag_stack.pop() == tag:
                    break

    def handle_data(self, data: str) -> None:
        self.all_text.append(data)
        for index in self.open:
            self.texts.setdefault(index, []).append(data)

    def text_of(self, index: int) -> str:
        return "".join(self.texts.get(index, [])).strip()

    def find(
        self, tag: str | None = None, **data: str
    ) -> Iterator[tuple[dict[str, str | None], str]]:
        """Elements with these ``data-`` attributes (``metric="completeness"``)."""
        wanted = {f"data-{k.replace('_', '-')}": v for k, v in data.items()}
        for index, (name, attrs) in enumerate(self.elements):
            if (tag is None or name == tag) and all(attrs.get(k) == v for k, v in wanted.items()):
                yield attrs, self.text_of(index)

    def rows(self, **data: str) -> Iterator[tuple[dict[str, str | None], dict[str, str]]]:
        """Table rows with these ``data-`` attributes, each with its cells' ``data-value``
        by their ``data-field``."""
        for attrs, _ in self.find("tr", **data):
            start = next(i for i, (_, a) in enumerate(self.elements) if a is attrs)
            cells: dict[str, str] = {}
            for tag, cell in self.elements[start + 1 :]:
                if tag == "tr":
                    break
                if tag == "td" and cell.get("data-field") and cell.get("data-value") is not None:
                    cells[str(cell["data-field"])] = str(cell["data-value"])
            yield attrs, cells


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page

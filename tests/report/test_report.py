"""report.html without a browser: it parses, holds no address to fetch, escapes what the
data say, shows each section only with its data, and every figure it shows equals the
one in summary.json or dataset.json (computed again here with pandas)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from cdinterop._cli import app
from cdinterop.errors import MissingExtraError, ReadError
from cdinterop.model import CitizenDataset
from cdinterop.report import REPORT_FILE, write_report
from cdinterop.report._html import fmt

from .helpers import (
    HOSTILE,
    QUALITY,
    REPRESENTATIVENESS,
    WEIGHTING,
    Page,
    full_summary,
    load,
    parse,
    summary_of,
    with_bounds,
)

pytest.importorskip("matplotlib")

DIMENSIONS = ["REF_AREA", "SEX", "AGE", "DISABILITY_STATUS", "SERVICE"]
NATIONAL = {"REF_AREA": "KE", "SEX": "_T", "AGE": "_T", "DISABILITY_STATUS": "_T", "SERVICE": "_T"}
FETCHING = {
    "script",
    "link",
    "img",
    "iframe",
    "object",
    "embed",
    "video",
    "audio",
    "source",
    "base",
}


def _sections(page: Page) -> list[str | None]:
    return [attrs.get("data-section") for attrs, _ in page.find("section")]


@pytest.fixture(scope="module")
def plain(converted: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Page, str]:
    """The report of the converted example as it is (no quality or weighting sections
    unless the run wrote them)."""
    folder = tmp_path_factory.mktemp("plain")
    for name in ("summary.json", "dataset.json"):
        (folder / name).write_bytes((converted / name).read_bytes())
    html = write_report(folder).read_text(encoding="utf-8")
    return parse(html), html


@pytest.fixture(scope="module")
def full(converted: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Page, str]:
    """The report with every section: quality, representativeness, weighting, bounds."""
    folder = tmp_path_factory.mktemp("full")
    path = write_report(
        folder, summary=full_summary(converted), dataset=with_bounds(load(converted))
    )
    return parse(path.read_text(encoding="utf-8")), path.read_text(encoding="utf-8")


def test_sections_of_the_converted_example(converted: Path, plain: tuple[Page, str]) -> None:
    page, _ = plain
    summary = summary_of(converted)
    expected = ["flow"]
    expected += ["quality"] if summary.get("quality") else []
    expected += ["representativeness"] if summary.get("representativeness") else []
    expected += ["indicator", "suppression"]
    assert _sections(page) == expected


def test_every_section_with_its_data(full: tuple[Page, str]) -> None:
    page, _ = full
    assert _sections(page) == ["flow", "quality", "representativeness", "indicator", "suppression"]
    assert len(list(page.find("svg"))) == 1 + 2 + 5  # flow, 2 dimensions, 5 breakdowns


@pytest.mark.parametrize(
    ("parts", "sections"),
    [
        ({}, []),
        ({"ingest": True}, ["flow"]),
        ({"quality": True}, ["quality"]),
        ({"representativeness": True}, ["representativeness"]),
        ({"weighting": True}, ["representativeness"]),
        ({"quality": True, "weighting": True}, ["quality", "representativeness"]),
    ],
)
def test_a_section_only_with_its_data(
    converted: Path, tmp_path: Path, parts: dict[str, bool], sections: list[str]
) -> None:
    full = full_summary(converted)
    summary = {name: full[name] for name in parts}
    html = write_report(tmp_path, summary=summary, charts=False).read_text(encoding="utf-8")
    assert _sections(parse(html)) == sections
    if not sections:
        assert "holds nothing to show" in html


def test_the_flow_equals_the_summary(converted: Path, plain: tuple[Page, str]) -> None:
    page, _ = plain
    ingest = summary_of(converted)["ingest"]
    for kind, key in (
        ("read", "rows_read"),
        ("accepted", "accepted"),
        ("filtered", "filtered"),
        ("rejected", "rejected"),
    ):
        [(attrs, shown)] = [(a, t) for a, t in page.find("td", flow=kind) if "data-by" not in a]
        assert attrs["data-value"] == json.dumps(ingest[key])
        assert shown == f"{ingest[key]:,}"
    assert ingest["accepted"] + ingest["filtered"] + ingest["rejected"] == ingest["rows_read"]
    for kind, key in (("filtered", "filtered_by_rule"), ("rejected", "rejected_by_column")):
        by = key.removeprefix(f"{kind}_by_")
        shown_counts = {
            a["data-reason"]: int(a["data-value"] or 0)
            for a, _ in page.find("td", flow=kind, by=by)
        }
        assert shown_counts == ingest[key]
        assert shown_counts  # the example has both


def test_quality_equals_the_summary(full: tuple[Page, str]) -> None:
    page, _ = full
    cells = [(a, t) for a, t in page.find("td") if a.get("data-index") is not None]
    assert len(cells) == len(QUALITY)
    for (attrs, shown), item in zip(cells, QUALITY, strict=True):
        assert attrs["data-metric"] == item["metric"]
        assert attrs.get("data-component") == item.get("component")
        assert attrs.get("data-qualifier") == item.get("qualifier")
        assert json.loads(attrs["data-value"] or "") == item["value"]
        assert shown == fmt(item["value"])
    [(completeness, _)] = page.find("td", metric="completeness", component="AGE")
    assert completeness["data-value"] == "0.993"


def test_representativeness_equals_the_summary(full: tuple[Page, str]) -> None:
    page, _ = full
    for dimension, data in REPRESENTATIVENESS["dimensions"].items():  # type: ignore[union-attr]
        for group in data["groups"]:
            [(_, cells)] = page.rows(dimension=dimension, code=group["code"])
            fields = ("sample", "sample_share", "population_share", "difference", "ratio")
            assert {f: json.loads(cells[f]) for f in fields} == {f: group[f] for f in fields}
        [(attrs, shown)] = page.find("span", dimension=dimension)
        assert json.loads(attrs["data-total-variation"] or "") == data["total_variation"]
        assert shown == fmt(data["total_variation"])
    [(attrs, _)] = page.find("td", field="r_indicator")
    assert json.loads(attrs["data-value"] or "") == REPRESENTATIVENESS["r_indicator"]
    flagged = [
        (a["data-dimension"], a["data-code"], a["data-flag"])
        for a, _ in page.find("li")
        if a.get("data-flag")
    ]
    assert flagged == [("AGE", "Y_GE65", "missing")]
    [(row, _)] = page.find("tr", dimension="AGE", code="Y_GE65")
    assert row.get("class") == "flagged"


def test_weighting_equals_the_summary(full: tuple[Page, str]) -> None:
    page, _ = full
    shown = {
        a["data-weighting"]: (a.get("data-value"), t)
        for a, t in page.find("td")
        if a.get("data-weighting")
    }
    for key in ("design_effect", "effective_sample_size", "iterations", "trimmed", "converged"):
        assert shown[key] == (json.dumps(WEIGHTING[key]), fmt(WEIGHTING[key]))
    for key in ("min", "max", "mean"):
        assert json.loads(shown[f"weights.{key}"][0] or "") == WEIGHTING["weights"][key]  # type: ignore[index]
    assert shown["margins"][1] == "REF_AREA, SEX, AGE"
    assert shown["method"] == ("raking", "raking")


def _frame(dataset: CitizenDataset) -> pd.DataFrame:
    return dataset.observations.to_pandas()


def _key(values: dict[str, str]) -> str:
    return "|".join(f"{d}={values[d]}" for d in DIMENSIONS)


def test_the_indicator_equals_the_data_set(converted: Path, full: tuple[Page, str]) -> None:
    page, _ = full
    frame = _frame(with_bounds(load(converted)))
    national = frame
    for dimension, code in NATIONAL.items():
        national = national[national[dimension] == code]
    [row] = national.to_dict("records")
    [(_, total)] = page.rows(key=_key(NATIONAL))
    assert float(total["OBS_VALUE"]) == row["OBS_VALUE"]
    assert (float(total["LOWER_BOUND"]), float(total["UPPER_BOUND"])) == (
        row["LOWER_BOUND"],
        row["UPPER_BOUND"],
    )
    [(_, shown)] = [
        (a, t)
        for a, t in page.find("td", field="OBS_VALUE")
        if a.get("data-value") == total["OBS_VALUE"]
    ][:1]
    assert shown == fmt(row["OBS_VALUE"])
    # the breakdown by area: every county at the totals of the other dimensions
    counties = frame[(frame["REF_AREA"] != "KE")]
    for dimension in DIMENSIONS[1:]:
        counties = counties[counties[dimension] == "_T"]
    assert len(counties) == 4
    for county in counties.to_dict("records"):
        key = _key({**NATIONAL, "REF_AREA": county["REF_AREA"]})
        [(_, cells)] = page.rows(key=key)
        figures = {field: float(value) for field, value in cells.items()}
        assert figures == {
            field: county[field]
            for field in ("OBS_VALUE", "LOWER_BOUND", "UPPER_BOUND", "SAMPLE_SIZE")
        }


def test_the_suppressed_cells_equal_the_data_set(converted: Path, plain: tuple[Page, str]) -> None:
    page, _ = plain
    frame = _frame(load(converted))
    aggregate = summary_of(converted)["aggregate"]
    counts = {
        a["data-conf-status"]: int(a["data-value"] or 0)
        for a, _ in page.find("td")
        if a.get("data-conf-status")
    }
    assert counts == {
        "C": int((frame["CONF_STATUS"] == "C").sum()),
        "D": int((frame["CONF_STATUS"] == "D").sum()),
    }
    suppressed = aggregate["primary_suppressed"] + aggregate["secondary_suppressed"]
    assert counts == {"C": suppressed, "D": 0}  # one public code for every suppressed cell
    [(table, _)] = page.find("table", rows="REF_AREA")
    columns = str(table["data-cols"])
    cells = [(a, t) for a, t in page.find("td") if a.get("data-row") is not None]
    assert len(cells) == frame["REF_AREA"].nunique() * frame[columns].nunique()
    others = [d for d in DIMENSIONS if d not in ("REF_AREA", columns)]
    for attrs, shown in cells:
        match = frame[
            (frame["REF_AREA"] == attrs["data-row"]) & (frame[columns] == attrs["data-col"])
        ]
        for dimension in others:
            match = match[match[dimension] == "_T"]
        [row] = match.to_dict("records")
        if row["CONF_STATUS"] in ("C", "D"):
            assert shown == row["CONF_STATUS"]
            assert "data-value" not in attrs
        else:
            assert float(attrs["data-value"] or "nan") == row["OBS_VALUE"]
            assert shown == fmt(row["OBS_VALUE"])
    assert any(t in ("C", "D") for _, t in cells)  # the chosen crossing shows suppression


def test_no_address_to_fetch(full: tuple[Page, str]) -> None:
    page, html = full
    assert not {tag for tag, _ in page.elements} & FETCHING
    for tag, attrs in page.elements:
        for name, value in attrs.items():
            assert not re.search(r"(?i)\b(https?|ftp|file|data|javascript):", value or ""), (
                tag,
                name,
            )
            assert not name.startswith("on"), (tag, name)
            if value and "url(" in value:
                assert re.fullmatch(r"url\(#[\w.-]+\)", value), (tag, name, value)
    style = html[html.index("<style>") : html.index("</style>")]
    assert "url(" not in style and "@import" not in style
    assert "default-src 'none'" in html  # the Content-Security-Policy


def test_ids_are_unique(full: tuple[Page, str]) -> None:
    page, _ = full
    ids = [attrs["id"] for _, attrs in page.elements if attrs.get("id")]
    assert len(ids) == len(set(ids))


def test_the_page_parses_strictly(full: tuple[Page, str]) -> None:
    html5lib = pytest.importorskip("html5lib")
    _, html = full
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    document = parser.parse(html)
    assert document.find("body") is not None


def _hostile(converted: Path) -> tuple[dict[str, Any], CitizenDataset]:
    summary = full_summary(converted)
    summary["ingest"] = {**summary["ingest"], "source": HOSTILE, "filtered_by_rule": {HOSTILE: 1}}
    summary["quality"] = [{"metric": HOSTILE, "value": 1.0, "component": HOSTILE, "unit": HOSTILE}]
    rep = json.loads(json.dumps(REPRESENTATIVENESS))
    rep["benchmark"] = HOSTILE
    rep["dimensions"][HOSTILE] = rep["dimensions"].pop("SEX")
    rep["dimensions"][HOSTILE]["groups"][0]["code"] = HOSTILE
    summary["representativeness"] = rep
    summary["weighting"] = {**WEIGHTING, "method": HOSTILE}
    dataset = load(converted)
    structure = dataset.structure
    codelists = []
    for codelist in structure.codelists:
        codes = [c.model_copy(update={"name": {"en": HOSTILE}}) for c in codelist.codes]
        codelists.append(codelist.model_copy(update={"codes": tuple(codes)}))
    dataset = dataset.model_copy(
        update={
            "title": {"en": HOSTILE},
            "structure": structure.model_copy(update={"codelists": tuple(codelists)}),
        }
    )
    return summary, dataset


def test_hostile_text_stays_text(converted: Path, tmp_path: Path) -> None:
    summary, dataset = _hostile(converted)
    html = write_report(tmp_path, summary=summary, dataset=dataset).read_text(encoding="utf-8")
    page = parse(html)
    assert not {tag for tag, _ in page.elements} & FETCHING
    assert not any(name.startswith("on") for _, attrs in page.elements for name in attrs)
    text = "".join(page.all_text)
    assert text.count(HOSTILE) >= 8  # title, source, rule, metric, benchmark, code, names ...
    assert "<script>" not in html
    [title] = [i for i, (t, _) in enumerate(page.elements) if t == "title"]
    assert page.text_of(title) == HOSTILE
    [(attrs, shown)] = page.find("td", metric=HOSTILE)
    assert attrs["data-component"] == HOSTILE and shown == "1"


def test_charts_can_be_left_out(converted: Path, tmp_path: Path) -> None:
    html = write_report(tmp_path, summary=full_summary(converted), charts=False).read_text(
        encoding="utf-8"
    )
    assert "<svg" not in html
    assert _sections(parse(html)) == ["flow", "quality", "representativeness"]


def test_without_matplotlib(
    converted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """charts=True names the extra; the default writes the tables alone."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingExtraError, match=r"cdinterop\[report\]"):
        write_report(tmp_path, summary=summary_of(converted), charts=True)
    assert not (tmp_path / REPORT_FILE).exists()
    html = write_report(tmp_path, summary=summary_of(converted)).read_text(encoding="utf-8")
    assert "<svg" not in html and 'data-section="flow"' in html
    # the command too: tables without the extra, unless --charts asks for them
    for name in ("summary.json", "dataset.json"):
        (tmp_path / name).write_bytes((converted / name).read_bytes())
    assert CliRunner().invoke(app, ["report", str(tmp_path)]).exit_code == 0
    result = CliRunner().invoke(app, ["report", str(tmp_path), "--charts"])
    assert result.exit_code == 2 and "cdinterop[report]" in result.output


def test_reads_the_folder_and_replaces_the_report(converted: Path, tmp_path: Path) -> None:
    for name in ("summary.json", "dataset.json"):
        (tmp_path / name).write_bytes((converted / name).read_bytes())
    (tmp_path / REPORT_FILE).write_text("old", encoding="utf-8")
    first = write_report(tmp_path).read_text(encoding="utf-8")
    assert first.startswith("<!DOCTYPE html>")
    assert write_report(tmp_path).read_text(encoding="utf-8") == first  # deterministic
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "dataset.json",
        REPORT_FILE,
        "summary.json",
    ]
    (tmp_path / "dataset.json").unlink()  # no data set: no indicator, no suppressed cells
    without = _sections(parse(write_report(tmp_path).read_text(encoding="utf-8")))
    assert without == [s for s in _sections(parse(first)) if s not in ("indicator", "suppression")]
    assert without[0] == "flow"


@pytest.mark.parametrize("content", [None, "[1", "[1, 2]"])
def test_a_folder_without_a_usable_summary(tmp_path: Path, content: str | None) -> None:
    if content is not None:
        (tmp_path / "summary.json").write_text(content, encoding="utf-8")
    with pytest.raises(ReadError, match=r"summary\.json"):
        write_report(tmp_path)
    result = CliRunner().invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert "summary.json" in result.output.replace("\n", "")  # however the line wraps
    assert "Traceback" not in result.output


def test_the_command(converted: Path, tmp_path: Path) -> None:
    for name in ("summary.json", "dataset.json"):
        (tmp_path / name).write_bytes((converted / name).read_bytes())
    result = CliRunner().invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "report.html" in result.output
    dimensions = (summary_of(tmp_path).get("representativeness") or {}).get("dimensions", {})
    charts = 1 + 5 + len(dimensions)  # the flow, the 5 breakdowns, each benchmark dimension
    assert (tmp_path / REPORT_FILE).read_text(encoding="utf-8").count("<svg") == charts
    result = CliRunner().invoke(app, ["report", str(tmp_path), "--no-charts"])
    assert result.exit_code == 0, result.output
    assert "<svg" not in (tmp_path / REPORT_FILE).read_text(encoding="utf-8")


def test_a_chart_with_too_many_bars_is_left_out(tmp_path: Path) -> None:
    columns = {f"column {i}": 1 for i in range(60)}
    ingest = {"rows_read": 100, "accepted": 40, "filtered": 0, "rejected": 60}
    summary = {"ingest": {**ingest, "rejected_by_column": columns}}
    page = parse(write_report(tmp_path, summary=summary).read_text(encoding="utf-8"))
    assert not list(page.find("svg"))
    assert len(list(page.find("td", flow="rejected", by="column"))) == 60

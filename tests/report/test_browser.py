"""report.html in a real browser: Debian's Chromium, headless, driven by Playwright.

The page must render (every section, every chart drawn with a size), log no console
error, request nothing but the file itself (every other request is blocked and
recorded), and show the figures of summary.json. Skipped, with the reason, when Chromium
(``apt-get install chromium``; ``.ci/run`` installs it) or Playwright (the ``test`` extra)
is absent.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cdinterop.report import write_report
from cdinterop.report._html import fmt

from .helpers import (
    HOSTILE,
    QUALITY,
    REPRESENTATIVENESS,
    WEIGHTING,
    full_summary,
    load,
    with_bounds,
)

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="no chromium: apt-get install chromium (.ci/run does; skipped where apt cannot)",
    ),
    pytest.mark.slow,
]
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install 'cdinterop[test]')"
)
pytest.importorskip("matplotlib", reason="matplotlib is not installed (the report extra)")


class Visit:
    """One page opened in Chromium, with what it asked for and what it said."""

    def __init__(self, page: Any, url: str) -> None:
        self.page = page
        self.url = url
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.console: list[str] = []
        self.dialogs: list[str] = []


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh user-data-dir
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            timeout=120_000,
        )
        try:
            yield context
        finally:
            context.close()


def _console(visit: Visit, message: Any) -> None:
    if message.type in ("error", "warning"):
        visit.console.append(f"{message.type}: {message.text}")


def _open(context: Any, path: Path) -> Visit:
    page = context.new_page()
    visit = Visit(page, path.resolve().as_uri())

    def route(request_route: Any) -> None:
        if request_route.request.url == visit.url:
            request_route.continue_()
        else:
            visit.blocked.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.on("request", lambda request: visit.requests.append(request.url))
    page.on(
        "console",
        lambda m: (
            visit.console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
        ),
    )
    page.on("pageerror", lambda exc: visit.console.append(f"pageerror: {exc}"))
    page.on("dialog", lambda d: (visit.dialogs.append(d.message), d.dismiss()))
    page.goto(visit.url, wait_until="load")
    return visit


@pytest.fixture(scope="module")
def report(
    converted: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("browser")
    summary = full_summary(converted)
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    write_report(folder, dataset=with_bounds(load(converted)))
    return folder / "report.html", summary


@pytest.fixture(scope="module")
def visit(browser: Any, report: tuple[Path, dict[str, Any]]) -> Iterator[Visit]:
    found = _open(browser, report[0])
    yield found
    found.page.close()


def test_renders_offline_without_errors(visit: Visit) -> None:
    assert visit.requests == [visit.url]
    assert visit.blocked == []
    assert visit.console == []
    page = visit.page
    sections = page.eval_on_selector_all("section", "els => els.map(e => e.id)")
    assert sections == ["flow", "quality", "representativeness", "indicator", "suppression"]
    sizes = page.eval_on_selector_all(
        "svg",
        "els => els.map(e => [e.getBoundingClientRect().width, e.getBoundingClientRect().height])",
    )
    assert len(sizes) == 8
    assert all(width > 100 and height > 50 for width, height in sizes)
    assert page.evaluate("document.querySelectorAll('svg text').length") > 50  # labels drawn
    assert page.evaluate("performance.getEntriesByType('resource').length") == 0


def _cells(visit: Visit, selector: str) -> list[dict[str, Any]]:
    script = "els => els.map(e => ({data: Object.assign({}, e.dataset), text: e.innerText.trim()}))"
    cells: list[dict[str, Any]] = visit.page.eval_on_selector_all(selector, script)
    return cells


def test_the_flow_shown_equals_the_summary(visit: Visit, report: tuple[Path, Any]) -> None:
    ingest = report[1]["ingest"]
    flow = {(c["data"]["flow"], c["data"].get("reason")): c for c in _cells(visit, "td[data-flow]")}
    for kind, key in (
        ("read", "rows_read"),
        ("accepted", "accepted"),
        ("filtered", "filtered"),
        ("rejected", "rejected"),
    ):
        assert json.loads(flow[kind, None]["data"]["value"]) == ingest[key]
        assert flow[kind, None]["text"] == f"{ingest[key]:,}"
    for rule, count in ingest["filtered_by_rule"].items():
        assert flow["filtered", rule]["text"] == f"{count:,}"
    for column, count in ingest["rejected_by_column"].items():
        assert flow["rejected", column]["text"] == f"{count:,}"


def test_the_quality_shown_equals_the_summary(visit: Visit) -> None:
    quality = _cells(visit, "td[data-index]")
    assert [json.loads(c["data"]["value"]) for c in quality] == [q["value"] for q in QUALITY]
    assert [c["text"] for c in quality] == [fmt(q["value"]) for q in QUALITY]
    assert [c["data"]["metric"] for c in quality] == [q["metric"] for q in QUALITY]


def test_the_shares_and_weights_shown_equal_the_summary(visit: Visit) -> None:
    rows = visit.page.eval_on_selector_all(
        "tr[data-dimension][data-code]",
        "els => els.map(e => [e.dataset.dimension, e.dataset.code, e.innerText])",
    )
    shares = {(dimension, code): text.split("\t") for dimension, code, text in rows}
    fields = ("sample", "sample_share", "population_share", "difference", "ratio")
    for dimension, data in REPRESENTATIVENESS["dimensions"].items():  # type: ignore[union-attr]
        for group in data["groups"]:
            assert shares[dimension, group["code"]][1:6] == [fmt(group[f]) for f in fields]
    weights = {c["data"]["weighting"]: c for c in _cells(visit, "td[data-weighting]")}
    for key in ("design_effect", "effective_sample_size", "iterations", "trimmed"):
        assert weights[key]["text"] == fmt(WEIGHTING[key])
        assert json.loads(weights[key]["data"]["value"]) == WEIGHTING[key]


def test_the_suppression_shown_equals_the_summary(visit: Visit, report: tuple[Path, Any]) -> None:
    aggregate = report[1]["aggregate"]
    statuses = {c["data"]["confStatus"]: c["text"] for c in _cells(visit, "td[data-conf-status]")}
    # one public code for every suppressed cell (a second one would say which are small)
    suppressed = aggregate["primary_suppressed"] + aggregate["secondary_suppressed"]
    assert statuses == {"C": f"{suppressed:,}", "D": "0"}


def test_hostile_text_does_not_run(browser: Any, converted: Path, tmp_path: Path) -> None:
    summary = {**full_summary(converted), "quality": [{"metric": HOSTILE, "value": 1}]}
    summary["ingest"] = {**summary["ingest"], "source": HOSTILE}
    path = write_report(tmp_path, summary=summary)
    visit = _open(browser, path)
    try:
        assert visit.dialogs == []
        assert visit.requests == [visit.url]  # the <img src=x> stayed text: nothing fetched
        assert visit.page.evaluate("document.querySelectorAll('script, img').length") == 0
        assert HOSTILE in visit.page.inner_text("body")
        assert visit.console == []
    finally:
        visit.page.close()

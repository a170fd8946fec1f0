"""The sections of the report, each from its part of ``summary.json`` or the data set.

Each function returns the section's HTML, or ``None`` when its data are not there (the
page then leaves the section out). Charts are drawn only when ``charts`` is true.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cdinterop.report import _charts
from cdinterop.report._cube import CONF_STATUS, SUPPRESSED, Cube
from cdinterop.report._html import cell, el, fmt, key_value_rows, table, text

__all__ = ["flow", "indicator", "quality", "representativeness", "suppression"]

_QUALITY_COLUMNS = ("metric", "dimension", "component", "qualifier", "value", "unit", "computed_at")
_MAX_BARS = 40
"""Charts with more bars than this are left out (the table still shows every figure)."""
_GROUP_FIELDS = ("sample", "sample_share", "population_share", "difference", "ratio")


def _section(name: str, title: str, body: str, intro: str = "") -> str:
    lead = el("p", text(intro), class_="intro") if intro else ""
    return el("section", el("h2", text(title)) + lead + body, id=name, data_section=name)


def _figure(svg: str) -> str:
    return el("figure", svg, class_="chart")


# --- the flow of rows ---------------------------------------------------------------


def _flow_rows(ingest: Mapping[str, Any]) -> list[tuple[str, str, str | None, str | None, Any]]:
    """(label, kind, by, reason, count) for each line of the flow: read, accepted, then
    filtered and rejected, each followed by its counts by rule or reason."""
    lines: list[tuple[str, str, str | None, str | None, Any]] = []
    for kind, key in (
        ("read", "rows_read"),
        ("accepted", "accepted"),
        ("filtered", "filtered"),
        ("rejected", "rejected"),
    ):
        if key in ingest:
            lines.append((kind, kind, None, None, ingest[key]))
        for name, counts in ingest.items():
            head, _, by = name.partition("_by_")
            if head == kind and by and isinstance(counts, Mapping):
                lines.extend(
                    (f"{kind}: {reason}", kind, by, str(reason), n) for reason, n in counts.items()
                )
    return lines


def flow(ingest: Mapping[str, Any] | None, *, charts: bool) -> str | None:
    """Read → accepted / filtered (by rule) / rejected (by reason), from ``ingest``."""
    if not isinstance(ingest, Mapping) or "rows_read" not in ingest:
        return None
    read = ingest["rows_read"]
    rows = []
    for label, kind, by, reason, count in _flow_rows(ingest):
        share = count / read if read and isinstance(count, int | float) else None
        head = el("th", text(label), scope="row")
        rows.append(
            el(
                "tr",
                head
                + cell(count, flow=kind, by=by, reason=reason)
                + cell(share, shown=_percent(share)),
                data_flow=kind,
                class_="detail" if by else None,
            )
        )
    body = table(["rows", "count", "share of read"], rows, class_="flow")
    bars = [
        _charts.Bar(label, float(n), kind)
        for label, kind, _, _, n in _flow_rows(ingest)
        if isinstance(n, int | float) and not isinstance(n, bool)
    ]
    if charts and 0 < len(bars) <= _MAX_BARS:
        body = _figure(_charts.flow_chart(bars)) + body
    source = ingest.get("source")
    intro = f"The rows of {source} through the mapping spec" if source else "The rows read"
    intro += ": filtered by the spec's rules, rejected by the column that failed."
    return _section("flow", "The flow of rows", body, intro)


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{share:.1%}"


# --- quality ----------------------------------------------------------------------------


def quality(measurements: Any) -> str | None:
    """The quality measurements of the run, one row each."""
    if not isinstance(measurements, Sequence) or isinstance(measurements, str) or not measurements:
        return None
    rows = []
    for index, item in enumerate(m for m in measurements if isinstance(m, Mapping)):
        cells = []
        for column in _QUALITY_COLUMNS:
            value = item.get(column)
            if column == "value":
                cells.append(
                    cell(
                        value,
                        metric=item.get("metric"),
                        component=item.get("component"),
                        dimension=item.get("dimension"),
                        qualifier=item.get("qualifier"),
                        index=index,
                    )
                )
            else:
                cells.append(el("td", text(fmt(value)) if value is not None else ""))
        rows.append(el("tr", "".join(cells), data_metric=item.get("metric")))
    if not rows:
        return None
    body = table(list(_QUALITY_COLUMNS), rows, class_="quality")
    return _section("quality", "Quality measurements", body, "Measured by the run.")


# --- representativeness and weighting -------------------------------------------------


def _group_rows(dimension: str, groups: Sequence[Mapping[str, Any]]) -> list[str]:
    rows = []
    for group in groups:
        code = group.get("code")
        flag = group.get("flag")
        cells = el("th", text(code), scope="row")
        cells += "".join(cell(group.get(f), field=f) for f in _GROUP_FIELDS)
        cells += cell(flag, field="flag", shown=str(flag or ""))
        rows.append(
            el(
                "tr",
                cells,
                data_dimension=dimension,
                data_code=code,
                class_="flagged" if flag else None,
            )
        )
    return rows


def _dimension_block(index: int, dimension: str, data: Mapping[str, Any], *, charts: bool) -> str:
    groups = [g for g in data.get("groups") or [] if isinstance(g, Mapping)]
    head = ["group", *_GROUP_FIELDS, "flag"]
    block = table(head, _group_rows(dimension, groups), caption=dimension, data_dimension=dimension)
    distance = data.get("total_variation")
    if distance is not None:
        block += el(
            "p",
            "total variation distance: "
            + el(
                "span",
                text(fmt(distance)),
                data_dimension=dimension,
                data_total_variation=_num(distance),
            ),
        )
    if charts and 0 < len(groups) <= _MAX_BARS:
        chart = _charts.shares_chart(
            f"rep{index}",
            dimension,
            [str(g.get("code")) for g in groups],
            [float(g.get("sample_share") or 0.0) for g in groups],
            [float(g.get("population_share") or 0.0) for g in groups],
        )
        block = _figure(chart) + block
    return el("div", block, class_="dimension")


def _num(value: object) -> str:
    from cdinterop.report._html import number

    return number(value)


_OVERALL = (
    ("r_indicator", "R-indicator"),
    ("propensity_cv", "Propensity CV (0: every group answered alike)"),
)


def _overall(rep: Mapping[str, Any]) -> str:
    parts = [
        el("tr", el("th", label, scope="row") + cell(rep[key], field=key))
        for key, label in _OVERALL
        if rep.get(key) is not None
    ]
    joint = rep.get("joint")
    if isinstance(joint, Mapping):
        parts.extend(
            key_value_rows(
                {f"joint.{k}": v for k, v in joint.items() if k != "groups"}, field="field"
            )
        )
    body = table(["measure", "value"], parts, class_="overall") if parts else ""
    if isinstance(joint, Mapping) and joint.get("groups"):
        body += table(
            ["group", *_GROUP_FIELDS, "flag"],
            _group_rows("joint", joint["groups"]),
            caption="joint",
        )
    flagged = [f for f in rep.get("flagged") or [] if isinstance(f, Mapping)]
    if flagged:
        items = "".join(
            el(
                "li",
                text(f"{f.get('dimension')} {f.get('code')}: {f.get('flag')}"),
                data_dimension=f.get("dimension"),
                data_code=f.get("code"),
                data_flag=f.get("flag"),
            )
            for f in flagged
        )
        body += el("p", "Groups flagged:") + el("ul", items, class_="flagged")
    return body


def representativeness(rep: Any, weighting: Any, *, charts: bool) -> str | None:
    """The sample against the population, per dimension and jointly, and the weights."""
    has_rep = isinstance(rep, Mapping) and bool(
        rep.get("dimensions") or rep.get("r_indicator") is not None
    )
    has_weights = isinstance(weighting, Mapping) and bool(weighting)
    if not has_rep and not has_weights:
        return None
    body = ""
    intro = ""
    if has_rep:
        intro = f"Against the benchmark {rep.get('benchmark') or '(unnamed)'}."
        dimensions = rep.get("dimensions") or {}
        body += "".join(
            _dimension_block(i, str(d), data, charts=charts)
            for i, (d, data) in enumerate(dimensions.items())
            if isinstance(data, Mapping)
        )
        body += _overall(rep)
    if has_weights:
        rows = key_value_rows(weighting, field="weighting")
        body += el("h3", "Calibration weights") + table(["", "value"], rows, class_="weighting")
    weighted = rep.get("weighted") if has_rep else None
    if isinstance(weighted, Mapping) and isinstance(weighted.get("dimensions"), Mapping):
        rows = [
            el(
                "tr",
                el("th", text(str(d)), scope="row")
                + cell(data.get("total_variation"), field="weighted_total_variation"),
            )
            for d, data in weighted["dimensions"].items()
            if isinstance(data, Mapping)
        ]
        body += el("h3", "After weighting") + table(
            ["dimension", "total variation"], rows, class_="weighted"
        )
    return _section("representativeness", "Sample against population", body, intro)


# --- the published indicator ----------------------------------------------------------


def _indicator_rows(
    cube: Cube, rows: list[dict[str, Any]], skip: tuple[str, ...] = ()
) -> list[str]:
    lines = []
    for row in rows:
        value = cube.value(row)
        lower, upper = cube.bounds(row)
        status = row.get(CONF_STATUS) if value is None else None
        cells = el("th", text(cube.open_dimensions(row, skip=skip)), scope="row")
        cells += cell(value, field=cube.measure, shown=str(status) if status else None)
        if cube.has_bounds:
            cells += cell(lower, field="LOWER_BOUND") + cell(upper, field="UPPER_BOUND")
        if "SAMPLE_SIZE" in row:
            cells += cell(row.get("SAMPLE_SIZE"), field="SAMPLE_SIZE")
        lines.append(el("tr", cells, data_key=cube.key(row)))
    return lines


def _indicator_table(cube: Cube, rows: list[dict[str, Any]], caption: str) -> str:
    head = ["cell", cube.measure]
    if cube.has_bounds:
        head += ["LOWER_BOUND", "UPPER_BOUND"]
    if rows and "SAMPLE_SIZE" in rows[0]:
        head.append("SAMPLE_SIZE")
    return table(head, _indicator_rows(cube, rows), caption=caption, class_="indicator")


def _interval_figure(cube: Cube, name: str, title: str, rows: list[dict[str, Any]]) -> str:
    shown = [r for r in rows if cube.value(r) is not None]
    if not shown or len(shown) > _MAX_BARS:
        return ""
    values = [cube.value(r) or 0.0 for r in shown]
    lower = upper = None
    if cube.has_bounds:
        lower = [
            b if (b := cube.bounds(r)[0]) is not None else v
            for r, v in zip(shown, values, strict=True)
        ]
        upper = [
            b if (b := cube.bounds(r)[1]) is not None else v
            for r, v in zip(shown, values, strict=True)
        ]
    labels = [cube.open_dimensions(r) for r in shown]
    return _figure(_charts.interval_chart(name, title, labels, values, lower, upper))


def indicator(cube: Cube | None, *, charts: bool) -> str | None:
    """The published indicator: the total, then its breakdown by each dimension that has
    a total, with the intervals when the data set has them."""
    if cube is None:
        return None
    body = _indicator_table(cube, cube.select(), "total")
    for index, dimension in enumerate(d for d in cube.dimensions if d in cube.totals):
        rows = cube.select((dimension,))
        if not rows:
            continue
        title = f"by {cube.dimension_names.get(dimension, dimension)}"
        block = _indicator_table(cube, rows, title)
        if charts:
            block = _interval_figure(cube, f"ind{index}", title, rows) + block
        body += el("div", block, class_="breakdown", data_dimension=dimension)
    intro = "Published values"
    intro += ", with the bounds of their confidence intervals." if cube.has_bounds else "."
    if cube.period is not None:
        intro += f" Period {cube.period}."
    return _section("indicator", "The published indicator", body, intro)


# --- the suppressed cells --------------------------------------------------------------


def _crosstab(
    cube: Cube, rows_dim: str, cols_dim: str
) -> dict[tuple[str, str], dict[str, Any]] | None:
    free = tuple(d for d in (rows_dim, cols_dim) if d in cube.totals)
    chosen = [
        r for r in cube.rows if all(r.get(d) == t for d, t in cube.totals.items() if d not in free)
    ]
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    for row in chosen:
        key = (str(row.get(rows_dim)), str(row.get(cols_dim)))
        if key in cells:
            return None  # another dimension without a total: no single cell
        cells[key] = row
    return cells


def _suppressed(cells: Mapping[tuple[str, str], Mapping[str, Any]]) -> int:
    return sum(1 for row in cells.values() if row.get(CONF_STATUS) in SUPPRESSED)


def _map_table(
    cube: Cube, rows_dim: str, cols_dim: str, cells: Mapping[tuple[str, str], Mapping[str, Any]]
) -> str:
    row_codes = list(dict.fromkeys(k[0] for k in cells))
    col_codes = list(dict.fromkeys(k[1] for k in cells))
    lines = []
    for r in row_codes:
        tds = el("th", text(cube.label(rows_dim, r)), scope="row")
        for c in col_codes:
            row = cells.get((r, c))
            if row is None:
                tds += el("td", "")
                continue
            status = row.get(CONF_STATUS)
            value = cube.value(row)
            shown = str(status) if status in SUPPRESSED else None
            tds += cell(
                value,
                shown=shown,
                row=r,
                col=c,
                status=status,
                class_=f"s-{status}" if shown else None,
            )
        lines.append(el("tr", tds))
    head = [f"{rows_dim} \\ {cols_dim}", *(cube.label(cols_dim, c) for c in col_codes)]
    return table(head, lines, class_="map", data_rows=rows_dim, data_cols=cols_dim)


def suppression(cube: Cube | None, aggregate: Any) -> str | None:
    """A map-like table of the cells: one dimension down, another across, each cell its
    value or its status (C suppressed; D secondary suppression, from producers that still
    tell it apart), with the counts."""
    if cube is None:
        return None
    counts = cube.suppressed_counts()
    if not any(counts.get(s) for s in SUPPRESSED):
        return None
    rows_dim = "REF_AREA" if "REF_AREA" in cube.dimensions else cube.dimensions[0]
    best: tuple[int, str, dict[tuple[str, str], dict[str, Any]]] | None = None
    for other in cube.dimensions:
        cells = _crosstab(cube, rows_dim, other) if other != rows_dim else None
        if cells and (best is None or _suppressed(cells) > best[0]):
            best = (_suppressed(cells), other, cells)
    lines = [
        el("tr", el("th", text(label), scope="row") + cell(counts.get(code, 0), conf_status=code))
        for code, label in (("C", "suppressed (C)"), ("D", "secondary suppression (D)"))
    ]
    if isinstance(aggregate, Mapping):
        lines += [
            el(
                "tr",
                el("th", text(key.replace("_", " ")), scope="row")
                + cell(aggregate[key], aggregate=key),
            )
            for key in ("cells", "published", "primary_suppressed", "secondary_suppressed")
            if key in aggregate
        ]
    body = table(["cells", "count"], lines, class_="counts")
    if best is not None:
        body += _map_table(cube, rows_dim, best[1], best[2])
    intro = (
        "Cells withheld to protect respondents: C where too few contributed, D so that a "
        "total does not give them away."
    )
    return _section("suppression", "Suppressed cells", body, intro)

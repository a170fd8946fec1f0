"""The report page: one self-contained HTML file, its style inline and no script.

A Content-Security-Policy forbids any request (``default-src 'none'``), so even a
browser that would fetch something finds nothing to fetch: what the page shows is in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cdinterop.report._html import el, text

__all__ = ["page"]

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;
max-width:60rem;padding:0 1rem;color:#212121;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{border-bottom:1px solid #ccc;padding-bottom:.2rem;
margin-top:2.2rem}.meta{color:#555}.intro{color:#424242}
table{border-collapse:collapse;margin:.8rem 0;font-size:.9rem}
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
thead th{background:#f5f5f5}td.num{text-align:right;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:.3rem 0}tr.detail th{padding-left:1.5rem;
font-weight:normal}tr.flagged{background:#fff3e0}td.s-C{background:#ffcdd2;text-align:center}
td.s-D{background:#ffe0b2;text-align:center}figure.chart{margin:.5rem 0}
figure.chart svg{max-width:100%;height:auto}nav ul{padding-left:1.2rem}
"""
_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def page(title: str, meta: Mapping[str, Any], sections: list[tuple[str, str, str]]) -> str:
    """The whole document: ``sections`` are (id, title, html)."""
    head = (
        '<meta charset="utf-8">'
        + f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        + '<meta name="viewport" content="width=device-width, initial-scale=1">'
        + '<meta name="generator" content="cdinterop">'
        + el("title", text(title))
        + el("style", _STYLE)
    )
    facts = " · ".join(f"{text(k)}: {text(v)}" for k, v in meta.items() if v not in (None, ""))
    contents = "".join(
        el("li", el("a", text(name), href=f"#{ident}")) for ident, name, _ in sections
    )
    body = el("header", el("h1", text(title)) + el("p", facts, class_="meta"))
    if sections:
        body += el("nav", el("ul", contents), aria_label="Sections")
    else:
        body += el("p", "The run's summary holds nothing to show.")
    body += el("main", "".join(html for _, _, html in sections))
    return "<!DOCTYPE html>\n" + el("html", el("head", head) + el("body", body), lang="en") + "\n"

"""Render the mapping-spec reference of docs/ingest.md from the spec's JSON Schema.

    python docs/render_reference.py          # rewrite the block in docs/ingest.md
    python docs/render_reference.py --check  # exit 1 if the block is stale (tests run this)

The block sits between ``<!-- reference:start -->`` and ``<!-- reference:end -->``; the
schema is ``schemas/ingest-mapping.schema.json`` (``cdinterop schema export schemas``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "schemas" / "ingest-mapping.schema.json"
DOC = ROOT / "docs" / "ingest.md"
START, END = "<!-- reference:start -->", "<!-- reference:end -->"
SECTIONS = (
    (None, "The spec (top level)"),
    ("SourceSpec", "`source`"),
    ("RowFilter", "`rows[]`"),
    ("Deduplicate", "`deduplicate`"),
    ("PrivacySpec", "`privacy`"),
    ("GeoCoarsening", "`privacy.geopoints.<column>`"),
    ("ComponentRule", "`components.<component id>`"),
)


def _type(spec: dict[str, Any]) -> str:
    if "$ref" in spec:
        return spec["$ref"].rsplit("/", 1)[-1]
    if "enum" in spec:
        return " \\| ".join(f"`{v}`" for v in spec["enum"])
    if "const" in spec:
        return f"`{spec['const']}`"
    if "anyOf" in spec:
        parts = [_type(s) for s in spec["anyOf"] if s.get("type") != "null"]
        return " \\| ".join(parts) + (" or null" if len(parts) < len(spec["anyOf"]) else "")
    kind = spec.get("type", "any")
    if isinstance(kind, list):
        return " \\| ".join(kind)
    if kind == "array":
        items = spec.get("items") or (spec.get("prefixItems") or [{}])[0]
        return f"list of {_type(items)}"
    if kind == "object" and "additionalProperties" in spec:
        return f"map to {_type(spec['additionalProperties'])}"
    if kind == "object" and "patternProperties" in spec:
        return f"map to {_type(next(iter(spec['patternProperties'].values())))}"
    return str(kind)


def _default(spec: dict[str, Any]) -> str:
    if "default" not in spec:
        return "required"
    return f"`{json.dumps(spec['default'], ensure_ascii=False)}`"


def render(schema: dict[str, Any]) -> str:
    """The reference block (Markdown tables) for ``schema``."""
    lines = []
    for name, title in SECTIONS:
        node = schema if name is None else schema["$defs"][name]
        lines += [f"### {title}", ""]
        if name is not None and node.get("description"):
            lines += [" ".join(node["description"].split()), ""]
        lines += ["| key | type | default | meaning |", "| --- | --- | --- | --- |"]
        required = set(node.get("required", ()))
        for key, spec in node.get("properties", {}).items():
            default = "required" if key in required else _default(spec)
            described = spec.get("description")
            if described is None and "$ref" in spec:  # pydantic leaves out a repeat
                described = schema["$defs"][spec["$ref"].rsplit("/", 1)[-1]].get("description")
            meaning = " ".join((described or "").split()).replace("|", "\\|")
            lines.append(f"| `{key}` | {_type(spec)} | {default} | {meaning} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or, with ``--check``, verify) the reference block; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="fail if the block is stale")
    args = parser.parse_args(argv)
    block = render(json.loads(SCHEMA.read_text(encoding="utf-8")))
    text = DOC.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    _old, tail = rest.split(END, 1)
    new = f"{head}{START}\n\n{block}\n{END}{tail}"
    if args.check:
        if new != text:
            print(f"{DOC} is stale: run python docs/render_reference.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(new, encoding="utf-8")
    print(f"wrote the reference block of {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

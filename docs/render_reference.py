"""Render the mapping-spec references of the docs from the specs' JSON Schemas.

    python docs/render_reference.py          # rewrite the blocks
    python docs/render_reference.py --check  # exit 1 if a block is stale (tests run this)

Each block sits between ``<!-- {marker}:start -->`` and ``<!-- {marker}:end -->`` in its
page; the schemas are those of ``schemas/`` (``cdinterop schema export schemas``):

* the ingest spec (``ingest-mapping.schema.json``) in docs/ingest.md, marker ``reference``;
* the aggregation section (``aggregation.schema.json``) and the conformance spec
  (``conformance-mapping.schema.json``) in docs/mapping-reference.md, markers
  ``reference:aggregation`` and ``reference:conformance``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
Sections = tuple[tuple[str | None, str], ...]
TARGETS: tuple[tuple[str, str, str, Sections], ...] = (
    (
        "ingest-mapping.schema.json",
        "ingest.md",
        "reference",
        (
            (None, "The spec (top level)"),
            ("SourceSpec", "`source`"),
            ("RowFilter", "`rows[]`"),
            ("Deduplicate", "`deduplicate`"),
            ("PrivacySpec", "`privacy`"),
            ("GeoCoarsening", "`privacy.geopoints.<column>`"),
            ("ComponentRule", "`components.<component id>`"),
        ),
    ),
    (
        "aggregation.schema.json",
        "mapping-reference.md",
        "reference:aggregation",
        (
            (None, "`aggregation` (top level)"),
            ("Unpivot", "`unpivot`"),
            ("DimensionRule", "`dimensions.<dimension id>`"),
            ("CountMeasure", "`measure` with `type: count`"),
            ("SumMeasure", "`measure` with `type: sum`"),
            ("MeanMeasure", "`measure` with `type: mean`"),
            ("RatioMeasure", "`measure` with `type: ratio`"),
            ("ProportionMeasure", "`measure` with `type: proportion`"),
            ("IndicatorsSpec", "`indicators`"),
            ("DisclosureSpec", "`disclosure`"),
            ("ObsStatusCodes", "`disclosure.obs_status`"),
            ("ConfStatusCodes", "`disclosure.conf_status`"),
            ("AggregateOutput", "`output`"),
        ),
    ),
    (
        "conformance-mapping.schema.json",
        "mapping-reference.md",
        "reference:conformance",
        (
            (None, "The spec (top level)"),
            ("StructureRef", "`structure`"),
            ("OutputIdentity", "`output`"),
            ("RowFilter", "`rows[]`"),
            ("ValueRule", "`components.<component id>`"),
        ),
    ),
)


def _type(spec: dict[str, Any], defs: dict[str, Any], *, nested: bool = False) -> str:
    """The type of ``spec`` in words: its alternatives joined by ``|``. A field's own type
    ends with "or null" when it may be null; inside a list or map a union is bracketed and
    ``null`` is one of its alternatives."""
    alternatives = _alternatives(spec, defs)
    if nested:
        text = " \\| ".join(alternatives)
        return f"({text})" if len(alternatives) > 1 else text
    shown = [a for a in alternatives if a != "null"] or ["null"]
    nullable = len(shown) < len(alternatives)
    return " \\| ".join(shown) + (" or null" if nullable else "")


def _alternatives(spec: dict[str, Any], defs: dict[str, Any]) -> list[str]:
    """The alternatives of the type of ``spec`` (one, unless it is a union)."""
    if "$ref" in spec:
        name = spec["$ref"].rsplit("/", 1)[-1]
        target = defs.get(name, {})
        return _alternatives(target, defs) if "enum" in target else [name]  # an enum: its values
    if "enum" in spec:
        return [f"`{v}`" for v in spec["enum"]]
    if "const" in spec:
        return [f"`{spec['const']}`"]
    if "oneOf" in spec:  # a tagged union of models, e.g. the measure
        models = " \\| ".join(a for s in spec["oneOf"] for a in _alternatives(s, defs))
        tag = spec.get("discriminator", {}).get("propertyName")
        return [f"{models}, chosen by `{tag}`" if tag else models]
    if "anyOf" in spec:
        found = [a for s in spec["anyOf"] for a in _alternatives(s, defs)]
        return list(dict.fromkeys(found))
    kind = spec.get("type", "any")
    if isinstance(kind, list):
        return [str(k) for k in kind]
    if kind == "array" and "prefixItems" in spec:
        return [f"[{', '.join(_type(s, defs) for s in spec['prefixItems'])}]"]
    if kind == "array":
        return [f"list of {_type(spec.get('items', {}), defs, nested=True)}"]
    if kind == "object" and "additionalProperties" in spec:
        return [f"map to {_type(spec['additionalProperties'], defs, nested=True)}"]
    if kind == "object" and "patternProperties" in spec:
        values = next(iter(spec["patternProperties"].values()))
        return [f"map to {_type(values, defs, nested=True)}"]
    return [str(kind)]


def _default(spec: dict[str, Any], defs: dict[str, Any]) -> str:
    if "default" in spec:
        return f"`{json.dumps(spec['default'], ensure_ascii=False)}`"
    # Not required and no default: pydantic's default_factory; the schema only has the type.
    kind = spec.get("type")
    if "$ref" in spec:
        kind = defs.get(spec["$ref"].rsplit("/", 1)[-1], {}).get("type")
    return {"object": "`{}`", "array": "`[]`"}.get(str(kind), "optional")


def render(schema: dict[str, Any], sections: Sections) -> str:
    """The reference block (Markdown tables) for ``schema``."""
    lines = []
    defs = schema.get("$defs", {})
    for name, title in sections:
        node = schema if name is None else schema["$defs"][name]
        lines += [f"### {title}", ""]
        if name is not None and node.get("description"):
            lines += [" ".join(node["description"].split()), ""]
        lines += ["| key | type | default | meaning |", "| --- | --- | --- | --- |"]
        required = set(node.get("required", ()))
        for key, spec in node.get("properties", {}).items():
            default = "required" if key in required else _default(spec, defs)
            described = spec.get("description")
            if described is None and "$ref" in spec:  # pydantic leaves out a repeat
                described = schema["$defs"][spec["$ref"].rsplit("/", 1)[-1]].get("description")
            meaning = " ".join((described or "").split()).replace("|", "\\|")
            lines.append(f"| `{key}` | {_type(spec, defs)} | {default} | {meaning} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _rewritten(text: str, marker: str, block: str) -> str:
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    head, rest = text.split(start, 1)
    _old, tail = rest.split(end, 1)
    return f"{head}{start}\n\n{block}\n{end}{tail}"


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or, with ``--check``, verify) the reference blocks; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="fail if a block is stale")
    args = parser.parse_args(argv)
    stale = 0
    for schema_name, page, marker, sections in TARGETS:
        schema = json.loads((ROOT / "schemas" / schema_name).read_text(encoding="utf-8"))
        doc = ROOT / "docs" / page
        text = doc.read_text(encoding="utf-8")
        new = _rewritten(text, marker, render(schema, sections))
        if args.check:
            if new != text:
                print(
                    f"{doc} ({marker}) is stale: run python docs/render_reference.py",
                    file=sys.stderr,
                )
                stale = 1
        elif new != text:
            doc.write_text(new, encoding="utf-8")
            print(f"wrote the {marker} block of {doc}")
    return stale


if __name__ == "__main__":
    raise SystemExit(main())

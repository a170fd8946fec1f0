"""SDMX-ML ``com:Annotations``: read into and written from
[`Annotation`][cdinterop.model.Annotation]s, the same way for every artefact (structures,
components, items, constraints, cube regions) in SDMX-ML 2.1 and 3.0."""

from __future__ import annotations

from lxml import etree  # type: ignore[import-untyped,unused-ignore]

from cdinterop.model import Annotation

__all__ = ["read_annotations", "write_annotations"]

_COMMON_NS = {
    v: f"http://www.sdmx.org/resources/sdmxml/schemas/v{v.replace('.', '_')}/common"
    for v in ("2.1", "3.0")
}
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def read_annotations(node: etree._Element, version: str) -> tuple[Annotation, ...]:
    """The annotations directly on ``node`` (its ``com:Annotations`` child), in order."""
    com = _COMMON_NS[version]
    group = node.find(f"{{{com}}}Annotations")
    if group is None:
        return ()

    def text(parent: etree._Element, tag: str) -> str | None:
        found = parent.find(f"{{{com}}}{tag}")
        return None if found is None else (found.text or "")

    notes = []
    for note in group.iterfind(f"{{{com}}}Annotation"):
        texts = {
            str(t.get(_XML_LANG, "en")): t.text or ""
            for t in note.iterfind(f"{{{com}}}AnnotationText")
            if (t.text or "").strip()
        }
        notes.append(
            Annotation(
                id=note.get("id"),
                title=text(note, "AnnotationTitle"),
                type=text(note, "AnnotationType"),
                url=text(note, "AnnotationURL"),
                text=texts or None,
                value=text(note, "AnnotationValue"),
            )
        )
    return tuple(notes)


def write_annotations(
    parent: etree._Element, notes: tuple[Annotation, ...] | list[Annotation], version: str
) -> None:
    """A ``com:Annotations`` child of ``parent`` holding ``notes`` (nothing when there are
    none); ``AnnotationValue`` only in SDMX-ML 3.0, which has it. Raises ``ValueError``
    (lxml) for text XML 1.0 cannot carry."""
    if not notes:
        return
    com = _COMMON_NS[version]

    def el(
        node: etree._Element, tag: str, text: str | None = None, **attrib: str
    ) -> etree._Element:
        child = etree.SubElement(node, f"{{{com}}}{tag}", attrib)
        if text is not None:
            child.text = text
        return child

    group = el(parent, "Annotations")
    for note in notes:
        node = el(group, "Annotation", **({"id": note.id} if note.id else {}))
        for tag, value in (
            ("AnnotationTitle", note.title),
            ("AnnotationType", note.type),
            ("AnnotationURL", note.url),
        ):
            if value is not None:
                el(node, tag, value)
        for lang, text in (note.text or {}).items():
            el(node, "AnnotationText", text, **{_XML_LANG: lang})
        if note.value is not None and version == "3.0":
            el(node, "AnnotationValue", note.value)

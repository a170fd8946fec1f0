"""What the SDMX-JSON 2.0 / 2.1 structure writer and reader share: schema addresses,
URNs, localised texts, annotations and the common fields of maintainable artefacts.

SDMX-JSON gives every nameable artefact a best-match ``name`` (one language) and
``names`` (every language), likewise ``description`` / ``descriptions``; annotations a
best-match ``text`` and ``texts``; the URN and ``uri`` of an identifiable artefact travel
in a ``links`` entry with ``rel`` ``self``, and an annotation's URL in its own ``self``
link. SDMX-JSON 2.0's schema wants language tags in lower case (``fr-ca``), 2.1 takes any
case; language tags are case-insensitive, and the model gives them their canonical case
again on reading.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from cdinterop.errors import ReadError
from cdinterop.model import Annotation
from cdinterop.model._internal import check_language_tag
from cdinterop.sdmx._json_scan import json_kind

__all__ = [
    "JSON_VERSIONS",
    "SCHEMA_URLS",
    "JsonVersion",
    "TextReader",
    "TextWriter",
    "json_version",
    "urn",
]

JsonVersion = Literal["2.0", "2.1"]
"""An SDMX-JSON version cdinterop writes and reads."""
JSON_VERSIONS: dict[str, JsonVersion] = {"json-2.0": "2.0", "json-2.1": "2.1"}
"""Structure "versions" of the SDMX-JSON messages (as ``write_structure`` names them)."""
SCHEMA_URLS: dict[JsonVersion, str] = {
    "2.0": "https://raw.githubusercontent.com/sdmx-twg/sdmx-json/master/structure-message/"
    "tools/schemas/2.0.0/sdmx-json-structure-schema.json",
    "2.1": "https://json.sdmx.org/2.1/sdmx-json-structure-schema.json",
}
"""The ``$id`` of each official structure schema (written as the message's schema)."""

_URN = "urn:sdmx:org.sdmx.infomodel."


def urn(cls: str, ident: tuple[str, str, str], item: str | None = None) -> str:
    """``urn:sdmx:org.sdmx.infomodel.{cls}=AGENCY:ID(VERSION)[.ITEM]``."""
    agency, id_, version = ident
    return f"{_URN}{cls}={agency}:{id_}({version})" + (f".{item}" if item else "")


def json_version(document: dict[str, Any]) -> JsonVersion:
    """``2.1`` when the message names the 2.1 schema (``$schema`` or ``meta.schema``),
    else ``2.0``."""
    meta = document.get("meta")
    names = [document.get("$schema"), meta.get("schema") if isinstance(meta, dict) else None]
    for name in names:
        if isinstance(name, str) and "/2.1" in name:
            return "2.1"
    return "2.0"


class TextWriter:
    """Localised texts and annotations as SDMX-JSON writes them; collects the languages
    used (for ``meta.contentLanguages``)."""

    def __init__(self, version: JsonVersion, main_language: str) -> None:
        self.version = version
        self.main = self.tag(main_language)
        self.languages: dict[str, None] = {self.main: None}

    def tag(self, language: str) -> str:
        return language.lower() if self.version == "2.0" else language

    def localised(self, text: dict[str, str]) -> dict[str, str]:
        out = {self.tag(lang): value for lang, value in text.items()}
        self.languages.update(dict.fromkeys(out))
        return out

    def best(self, text: dict[str, str]) -> str:
        """The text in the message's main language, else the first."""
        localised = {self.tag(lang): value for lang, value in text.items()}
        return localised.get(self.main) or next(iter(localised.values()))

    def nameable(
        self, node: dict[str, Any], name: dict[str, str], description: dict[str, str] | None
    ) -> dict[str, Any]:
        """Add ``name``/``names`` and (when given) ``description``/``descriptions``."""
        node["name"] = self.best(name)
        node["names"] = self.localised(name)
        if description:
            node["description"] = self.best(description)
            node["descriptions"] = self.localised(description)
        return node

    def annotation(self, note: Annotation) -> dict[str, Any]:
        node: dict[str, Any] = {}
        for key in ("id", "title", "type", "value"):
            value = getattr(note, key)
            if value is not None:
                node[key] = value
        if note.text:
            node["text"] = self.best(note.text)
            node["texts"] = self.localised(note.text)
        if note.url is not None:
            node["links"] = [{"rel": "self", "href": note.url}]
        return node

    def annotations(self, node: dict[str, Any], notes: Iterable[Annotation]) -> None:
        """Add ``annotations`` (nothing when there are none)."""
        written = [self.annotation(note) for note in notes]
        if written:
            node["annotations"] = written

    def self_link(self, node: dict[str, Any], urn_: str, uri: str | None) -> None:
        """The artefact's own URN (and ``uri``, when it has one) as a ``self`` link."""
        link = {"rel": "self", "urn": urn_}
        if uri is not None:
            link["uri"] = uri
        node["links"] = [link]


class TextReader:
    """Reads localised texts, annotations and links of an SDMX-JSON message, with errors
    located by their JSON path (``data.codelists[0].codes[3].names``)."""

    def __init__(self, source: str, main_language: str) -> None:
        self.source = source
        self.main = main_language

    def fail(self, where: str, message: str) -> ReadError:
        return ReadError(self.source, f"{where}: {message}")

    def obj(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"expected an object, found {json_kind(value)}")
        return value

    def array(self, node: dict[str, Any], key: str, where: str) -> list[Any]:
        value = node.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(f"{where}.{key}", f"expected an array, found {json_kind(value)}")
        return value

    def strings(self, node: dict[str, Any], key: str, where: str) -> list[str]:
        """An array of strings (ids), empty when absent."""
        found = self.array(node, key, where)
        for i, value in enumerate(found):
            if not isinstance(value, str):
                found_kind = json_kind(value)
                raise self.fail(f"{where}.{key}[{i}]", f"expected a string, found {found_kind}")
        return found

    def string(self, node: dict[str, Any], key: str, where: str, *, required: bool = False) -> Any:
        value = node.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str):
            shown = "nothing" if value is None else json_kind(value)
            raise self.fail(f"{where}.{key}", f"expected a string, found {shown}")
        return value

    def flag(self, node: dict[str, Any], key: str, where: str, default: bool) -> bool:
        value = node.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"{where}.{key}", f"expected true or false, found {json_kind(value)}")
        return value

    def texts(self, node: dict[str, Any], single: str, many: str, where: str) -> dict[str, str]:
        """``many`` (a language → text object) when given, else ``single`` in the
        message's main language; blank texts left out."""
        localised = node.get(many)
        if localised is not None:
            self.obj(localised, f"{where}.{many}")
            for lang, text in localised.items():
                if not isinstance(text, str):
                    raise self.fail(
                        f"{where}.{many}.{lang}", f"expected a string, found {json_kind(text)}"
                    )
            found = {str(lang): text for lang, text in localised.items() if text.strip()}
            for lang in found:
                try:
                    check_language_tag(lang)
                except ValueError as exc:
                    raise self.fail(f"{where}.{many}", str(exc)) from None
            if found:
                return found
        text = self.string(node, single, where)
        return {self.main: text} if text is not None and text.strip() else {}

    def annotations(self, node: dict[str, Any], where: str) -> tuple[Annotation, ...]:
        notes = []
        for i, item in enumerate(self.array(node, "annotations", where)):
            at = f"{where}.annotations[{i}]"
            note = self.obj(item, at)
            notes.append(
                Annotation(
                    id=self.string(note, "id", at),
                    title=self.string(note, "title", at),
                    type=self.string(note, "type", at),
                    url=self.link(note, at, "href"),
                    text=self.texts(note, "text", "texts", at) or None,
                    value=self.string(note, "value", at),
                )
            )
        return tuple(notes)

    def link(self, node: dict[str, Any], where: str, key: str) -> str | None:
        """``key`` (``href`` or ``uri``) of the node's ``self`` link, if any."""
        for i, item in enumerate(self.array(node, "links", where)):
            link = self.obj(item, f"{where}.links[{i}]")
            if link.get("rel") == "self":
                value = link.get(key) or (link.get("uri") if key == "href" else None)
                if value is not None:
                    return str(value)
        return None

"""A [`CitizenDataset`][cdinterop.model.CitizenDataset] as a Data Package v2 descriptor.

Package-level native properties are written for every tool that reads Data Packages;
those that carry a field losslessly (``version``, ``licenses``, ``homepage``) are the
field's only home and are read back. The others (``name``, ``id``, ``title``,
``description``, ``keywords``, ``created``, ``contributors``, ``sources``) are views of
fields whose complete form is in the ``cdinterop:*`` properties
(`cdinterop.datapackage._extension`).

The observations are the ``observations`` table resource (``observations.csv``); each
codelist used by a column is a table resource of its own, target of a foreign key
(`cdinterop.datapackage._tableschema`).
"""

from __future__ import annotations

import re
from typing import Any

from cdinterop.datapackage import _extension as extension
from cdinterop.datapackage._tableschema import (
    codelist_resource_names,
    codelist_schema,
    observation_schema,
    slug,
)
from cdinterop.model import CitizenDataset, Role, refuse_added_fields, text_in

__all__ = [
    "CODELIST_FOLDER",
    "OBSERVATIONS_PATH",
    "OBSERVATIONS_RESOURCE",
    "PACKAGE_PROFILE",
    "ROLE_NAMES",
    "default_language",
    "is_v2_path",
    "licence_path",
    "to_descriptor",
]

PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
"""``$schema`` of every ``datapackage.json`` cdinterop writes."""
OBSERVATIONS_RESOURCE = "observations"
"""Name of the resource holding the observation table."""
OBSERVATIONS_PATH = "observations.csv"
"""Path of the observation table in the package."""
CODELIST_FOLDER = "codelists"
"""Folder of the codelist resources (``codelists/<slug of codelist id>.csv``)."""

ROLE_NAMES: dict[Role, str] = {
    role: "contact"
    if role is Role.POINT_OF_CONTACT
    else re.sub(r"_([a-z])", lambda m: m[1].upper(), role.value)
    for role in Role
}
"""v2 contributor role of each ``Role``: camel case
(``dataCollector``, ``rightsHolder``), ``contact`` for the point of contact (the roles
the v2 specification recommends are ``creator``, ``contact``, ``rightsHolder`` and
``dataCurator``)."""

_V2_PATH = re.compile(r"^((?=[^./~])(?!file:)((?!/\.\./)(?!\\)(?!://).)*|(http|ftp)s?://.*)$")
_WEB = re.compile(r"^(https?|ftps?)://", re.IGNORECASE)


def is_v2_path(value: str) -> bool:
    """Whether ``value`` fits the v2 ``path`` pattern (relative POSIX path or URL)."""
    return bool(_V2_PATH.match(value))


def licence_path(licence: str) -> str:
    """The SPDX page of a licence id."""
    return f"https://spdx.org/licenses/{licence}.html"


def default_language(ds: CitizenDataset) -> str:
    """Language of the native texts: the first of ``languages`` that the title has, else
    English if the title has it, else the title's first language."""
    for lang in ds.languages:
        if lang in ds.title:
            return lang
    return "en" if "en" in ds.title else next(iter(ds.title))


def _keywords(ds: CitizenDataset, language: str) -> list[str]:
    ordered = [language, *(lang for lang in ds.keywords if lang != language)]
    words: dict[str, None] = {}
    for lang in ordered:
        words.update(dict.fromkeys(ds.keywords.get(lang, ())))
    return list(words)


def _contributors(ds: CitizenDataset) -> list[dict[str, Any]]:
    roles: dict[str, list[str]] = {}
    for attribution in ds.provenance.attributions:
        roles.setdefault(attribution.agent, []).append(ROLE_NAMES[attribution.role])
    if ds.publisher is not None and "publisher" not in roles.get(ds.publisher, []):
        roles.setdefault(ds.publisher, []).append("publisher")
    entries: list[dict[str, Any]] = []
    for agent_id, names in roles.items():
        agent = ds.provenance.agent(agent_id)
        entry: dict[str, Any] = {"title": agent.name}
        if agent.homepage is not None and _WEB.match(str(agent.homepage)):
            entry["path"] = str(agent.homepage)
        elif agent.identifier is not None and _WEB.match(agent.identifier):
            entry["path"] = agent.identifier
        if agent.email is not None:
            entry["email"] = str(agent.email)
        entry["roles"] = list(dict.fromkeys(names))
        if agent.acted_on_behalf_of is not None:
            entry["organization"] = ds.provenance.agent(agent.acted_on_behalf_of).name
        entries.append(entry)
    contact = ds.contact_point
    if contact is not None:
        entry = {"title": contact.name}
        if contact.url is not None and _WEB.match(str(contact.url)):
            entry["path"] = str(contact.url)
        if contact.email is not None:
            entry["email"] = str(contact.email)
        entry["roles"] = ["contact"]
        entries.append(entry)
    return entries


def _sources(ds: CitizenDataset) -> list[dict[str, Any]]:
    entries = []
    for source in ds.provenance.sources:
        entry: dict[str, Any] = {"title": source.title}
        if source.url is not None and _WEB.match(str(source.url)):
            entry["path"] = str(source.url)
        elif source.path is not None and is_v2_path(source.path):
            entry["path"] = source.path
        if source.version is not None:
            entry["version"] = source.version
        if source.checksum is not None:
            checksum = source.checksum
            entry[extension.CHECKSUM_KEY] = f"{checksum.algorithm.value}:{checksum.value}"
        entries.append(entry)
    return entries


def _file_resource(name: str, path: str) -> dict[str, Any]:
    return {
        "name": name,
        "type": "table",
        "path": path,
        "scheme": "file",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
    }


def _resources(ds: CitizenDataset, language: str) -> list[dict[str, Any]]:
    s = ds.structure
    observations = _file_resource(OBSERVATIONS_RESOURCE, OBSERVATIONS_PATH)
    observations["title"] = text_in(s.name, language)
    description = text_in(s.description, language)
    if description:
        observations["description"] = description
    observations["schema"] = observation_schema(ds, language)
    resources = [observations]
    for codelist_id, name in codelist_resource_names(s).items():
        codelist = s.codelist(codelist_id)
        path = f"{CODELIST_FOLDER}/{name.removeprefix('codelist-')}.csv"
        resource = _file_resource(name, path)
        resource["title"] = text_in(codelist.name, language)
        description = text_in(codelist.description, language)
        if description:
            resource["description"] = description
        resource["schema"] = codelist_schema(codelist)
        resources.append(resource)
    return resources


def to_descriptor(dataset: CitizenDataset) -> dict[str, Any]:
    """The ``datapackage.json`` of ``dataset`` (without ``bytes`` and ``hash`` of the files:
    [`cdinterop.datapackage.write()`][cdinterop.datapackage.write] adds them for the files it
    writes). A subclass that adds fields is refused, as by ``write()``."""
    refuse_added_fields(dataset, "Data Package")
    language = default_language(dataset)
    d: dict[str, Any] = {
        "$schema": PACKAGE_PROFILE,
        "name": slug(dataset.id),
        "id": f"urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow={dataset.agency}:{dataset.id}"
        f"({dataset.version})",
        "title": text_in(dataset.title, language),
    }
    description = text_in(dataset.description, language)
    if description:
        d["description"] = description
    d["version"] = dataset.version
    created = dataset.modified or dataset.issued
    if created is not None:
        d["created"] = f"{created.isoformat()}T00:00:00Z"
    if dataset.landing_page is not None:
        d["homepage"] = str(dataset.landing_page)
    keywords = _keywords(dataset, language)
    if keywords:
        d["keywords"] = keywords
    if dataset.licence is not None:
        d["licenses"] = [{"name": dataset.licence, "path": licence_path(dataset.licence)}]
    contributors = _contributors(dataset)
    if contributors:
        d["contributors"] = contributors
    sources = _sources(dataset)
    if sources:
        d["sources"] = sources
    d["resources"] = _resources(dataset, language)
    d.update(extension.encode(dataset))
    return d

"""The DCAT-AP description of the service: a ``dcat:Catalog`` of every served data set,
whose distributions are the service's own data endpoints (one per data media type, with
``format=`` in the URL so that the link always gives that format)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from cdinterop import dcat
from cdinterop.model import Agent, AgentKind, Availability, Catalog, CitizenDataset, Distribution
from cdinterop.serve._catalogue import ServedCatalogue
from cdinterop.serve._formats import data_offers
from cdinterop.serve._negotiate import Offer, parse_media_type

__all__ = ["RDF_OFFERS", "RDF_WORDS", "describe_service", "render_catalog"]

RDF_OFFERS = [
    Offer("text/turtle", "turtle"),
    Offer("application/ld+json", "json-ld"),
    Offer("application/rdf+xml", "xml"),
    Offer("application/n-triples", "nt"),
]
"""The RDF syntaxes of the description, Turtle first (the default)."""
RDF_WORDS = {
    "turtle": "turtle",
    "ttl": "turtle",
    "json-ld": "json-ld",
    "jsonld": "json-ld",
    "xml": "xml",
    "rdf": "xml",
    "rdfxml": "xml",
    "nt": "nt",
    "ntriples": "nt",
    "n-triples": "nt",
}
"""Values of the ``format=`` parameter of the catalogue."""
_FILE_TYPES = {"+xml": "SDMX", "+csv": "CSV", "+json": "JSON"}


def _publisher(datasets: list[CitizenDataset]) -> Agent:
    for ds in datasets:
        agents = {a.id: a for a in ds.provenance.agents}
        agent = agents.get(ds.publisher or "")
        if agent is not None and agent.kind is not AgentKind.SOFTWARE:
            return agent
    return Agent(id="SERVICE", kind=AgentKind.ORGANISATION, name="cdinterop SDMX REST service")


def _distributions(ds: CitizenDataset, base: str) -> tuple[Distribution, ...]:
    flow = f"{ds.agency}/{ds.id}/{ds.version}"
    structure = f"{base}/structure/dataflow/{flow}?references=all"
    out = []
    for offer in data_offers(ds, "v2"):
        fmt = offer.value[0]
        main, _ = parse_media_type(offer.media_type)
        kind = next((code for suffix, code in _FILE_TYPES.items() if main.endswith(suffix)), None)
        url = f"{base}/data/dataflow/{flow}?format={fmt.name}"
        out.append(
            Distribution(
                id=f"SDMX_REST_{fmt.name.replace('-', '_').upper()}",
                title={"en": f"{fmt.description}, from the SDMX REST service"},
                description={"en": f"The observations as {fmt.description} ({offer.media_type})."},
                access_url=url,
                download_url=url,
                format=kind,
                media_type=main,
                licence=ds.licence,
                conforms_to=(structure,),
                availability=Availability.AVAILABLE,
            )
        )
    unique: dict[str, Distribution] = {}
    for distribution in out:
        unique.setdefault(distribution.id, distribution)
    return tuple(unique.values())


def describe_service(
    catalogue: ServedCatalogue, base: str, description: Catalog | None = None
) -> Catalog:
    """The catalogue of the served data sets, their distributions pointing at ``base``
    (the service's address, without a final ``/``); ``description`` gives the catalogue's
    own metadata (default: one naming the service, published by the first data set's
    publisher)."""
    datasets: list[CitizenDataset] = []
    seen: set[str] = set()
    for served in catalogue:
        ds = served.dataset
        if ds.id in seen:
            continue  # a catalogue lists a data set id once
        seen.add(ds.id)
        datasets.append(ds.model_copy(update={"distributions": _distributions(ds, base)}))
    if description is None:
        description = Catalog(
            id="SDMX_REST_SERVICE",
            title={"en": "Data sets of a cdinterop SDMX REST service"},
            description={
                "en": f"The data sets served as SDMX (data and structures) at {base}/data and "
                f"{base}/structure."
            },
            publisher=_publisher(datasets),
        )
    return description.model_copy(update={"datasets": tuple(datasets)})


def render_catalog(catalog: Catalog, rdf_format: str, base_iri: str | None = None) -> bytes:
    """The catalogue in an RDF syntax (``turtle``, ``json-ld``, ``xml`` or ``nt``)."""
    suffix = {"turtle": ".ttl", "json-ld": ".jsonld", "xml": ".rdf", "nt": ".nt"}[rdf_format]
    with tempfile.TemporaryDirectory(prefix="cdinterop-serve-") as folder:
        target = Path(folder) / f"catalog{suffix}"
        dcat.write(
            catalog,
            target,
            format=rdf_format,
            base_iri=base_iri or dcat.DEFAULT_BASE_IRI,
            workers=1,
        )
        return target.read_bytes()

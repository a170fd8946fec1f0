"""Regenerate the DCAT corpus: ``python tests/corpus/dcat/make_corpus.py``.

``portal.*`` is one small catalogue in the style of a national open-data portal (EU
authority IRIs, a vCard contact, EU licence IRIs, StatDCAT-AP dimensions on two of its
three data sets), written here by hand in Turtle and re-serialised by rdflib as JSON-LD
(inline context), RDF/XML and N-Triples. The other files each break one thing;
``expected.json`` says how reading them must fail (``read``: ReadError from
``dcat.read_graph``/``dcat.read`` with these words; ``note``: the data set reads with
``dataset_from_dcat`` and the notes activity holds these words).
"""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import Graph

HERE = Path(__file__).resolve().parent

PORTAL = """\
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix stat: <http://data.europa.eu/m8g/> .
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix eu-lang: <http://publications.europa.eu/resource/authority/language/> .
@prefix eu-country: <http://publications.europa.eu/resource/authority/country/> .
@prefix eu-theme: <http://publications.europa.eu/resource/authority/data-theme/> .
@prefix eu-freq: <http://publications.europa.eu/resource/authority/frequency/> .
@prefix eu-licence: <http://publications.europa.eu/resource/authority/licence/> .
@prefix eu-access: <http://publications.europa.eu/resource/authority/access-right/> .
@prefix role: <http://inspire.ec.europa.eu/metadata-codelist/ResponsiblePartyRole/> .
@prefix adms-pt: <http://purl.org/adms/publishertype/> .
@prefix portal: <https://data.example.gov/> .
@prefix org: <https://data.example.gov/org/> .
@prefix ds: <https://data.example.gov/dataset/> .

portal:catalog a dcat:Catalog ;
    dct:title "Open Data Portal of Examplia"@en , "Offene Daten Examplia"@de ;
    dct:description "National open-data catalogue."@en ;
    dct:publisher org:statistics-office ;
    dcat:dataset ds:beach-litter-2023 , ds:air-quality ,
        ds:water-points .

org:statistics-office a foaf:Agent , foaf:Organization ;
    foaf:name "Examplia Statistics Office" ;
    dct:identifier "EXSTAT" ;
    dct:type adms-pt:NationalAuthority ;
    foaf:homepage <https://stats.example.gov/> .

org:ocean-volunteers a foaf:Agent ;
    foaf:name "Ocean Volunteers Network" ;
    dct:type adms-pt:NonGovernmentalOrganisation .

ds:beach-litter-2023 a dcat:Dataset ;
    dct:identifier "beach-litter-2023" ;
    dct:title "Beach litter counts 2023"@en , "Strandmüll 2023"@de , "Beach litter 2023"@en ;
    dct:description "Items of litter counted by volunteers on 40 beaches."@en ;
    dcat:keyword "litter"@en , "plastic"@en , "Müll"@de ;
    dcat:theme eu-theme:ENVI , <http://metadata.un.org/sdg/14.1.1> ,
        <http://eurovoc.europa.eu/1234> ;
    dct:language eu-lang:ENG , eu-lang:DEU ;
    dct:license eu-licence:CC_BY_4_0 ;
    dct:accessRights eu-access:PUBLIC ;
    dcat:contactPoint [ a vcard:Organization ;
        vcard:fn "Marine data desk" ;
        vcard:hasEmail <mailto:marine@stats.example.gov> ;
        vcard:hasURL <https://stats.example.gov/marine> ] ;
    dcat:landingPage <https://data.example.gov/beach-litter> ;
    dct:temporal [ a dct:PeriodOfTime ;
        dcat:startDate "2023-01-01"^^xsd:date ;
        dcat:endDate "2023-12-31"^^xsd:date ] ;
    dct:spatial eu-country:DEU , [ a dct:Location ; skos:notation "DE-SH" ] ,
        <http://sws.geonames.org/2911297/> ;
    dct:accrualPeriodicity eu-freq:ANNUAL ;
    dct:issued "2024-02-01T09:30:00"^^xsd:dateTime ;
    dct:modified "2024-03-15"^^xsd:date ;
    dcat:version "v2.1" ;
    dct:bibliographicCitation "Examplia Statistics Office (2024): Beach litter counts 2023." ;
    dct:publisher org:statistics-office ;
    dct:creator org:ocean-volunteers ;
    prov:qualifiedAttribution [ a prov:Attribution ;
        prov:agent org:ocean-volunteers ;
        dcat:hadRole role:dataCollector ] ,
      [ a prov:Attribution ;
        prov:agent org:statistics-office ;
        dcat:hadRole role:owner ] ;
    stat:dimension <https://data.example.gov/dataset/beach-litter-2023#area> ,
        <https://data.example.gov/dataset/beach-litter-2023#item> ,
        <https://data.example.gov/dataset/beach-litter-2023#period> ;
    stat:attribute <https://data.example.gov/dataset/beach-litter-2023#status> .

<https://data.example.gov/dataset/beach-litter-2023#area> a qb:DimensionProperty ;
    skos:notation "REF_AREA" ; rdfs:label "Reference area"@en .
<https://data.example.gov/dataset/beach-litter-2023#item> a qb:DimensionProperty ;
    skos:notation "LITTER_ITEM" ; rdfs:label "Litter item"@en , "Müllart"@de .
<https://data.example.gov/dataset/beach-litter-2023#period> a qb:DimensionProperty ;
    rdfs:label "Time period"@en .
<https://data.example.gov/dataset/beach-litter-2023#status> a qb:AttributeProperty ;
    skos:notation "OBS_STATUS" ; skos:prefLabel "Observation status"@en .

ds:air-quality a dcat:Dataset ;
    dct:identifier "https://data.example.gov/id/air.quality/pm10" ;
    dct:title "PM10 concentrations"@en ;
    dct:description "Daily mean PM10 at monitoring stations." ;
    dcat:keyword "air" , "pm10" ;
    dcat:theme eu-theme:ENVI , eu-theme:HEAL ;
    dct:language eu-lang:ENG ;
    dct:license <https://spdx.org/licenses/CC0-1.0> ;
    dct:accessRights eu-access:PUBLIC ;
    dcat:contactPoint [ a vcard:Kind ;
        vcard:fn "Air desk" ;
        vcard:hasURL <https://stats.example.gov/air> ] ;
    dct:temporal [ a dct:PeriodOfTime ;
        <http://schema.org/startDate> "2020-01-01"^^xsd:date ] ;
    dct:spatial eu-country:FRA ;
    dct:accrualPeriodicity eu-freq:DAILY ;
    dct:issued "2021-05-04"^^xsd:date ;
    owl:versionInfo "3.0" ;
    dct:publisher org:statistics-office ;
    stat:dimension [ a qb:DimensionProperty ; skos:notation "STATION" ;
        rdfs:label "Monitoring station"@en ] .

ds:water-points a dcat:Dataset ;
    dct:identifier "water-points" ;
    dct:title "Public water points"@en ;
    dct:description "Locations of public drinking-water points."@en ;
    dct:license eu-licence:SOME_LOCAL_LICENCE ;
    dct:accessRights eu-access:RESTRICTED ;
    dct:accrualPeriodicity eu-freq:IRREG ;
    dct:issued "2022-07-01"^^xsd:date ;
    dct:publisher org:statistics-office .
"""

JSONLD_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "stat": "http://data.europa.eu/m8g/",
}

DATASET = """\
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix stat: <http://data.europa.eu/m8g/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://data.example.gov/dataset/survey> a dcat:Dataset ;
    dct:identifier "survey" ;
    dct:title "Household survey"@en ;
    dct:issued "sometime in 2021" ;
    dct:modified "2021-02-30"^^<http://www.w3.org/2001/XMLSchema#date> ;
    stat:dimension [ skos:notation "SEX" ] .
"""

RDF_XML_HEAD = '<?xml version="1.0"?>\n'
RDF_XML_BODY = (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
    '         xmlns:dct="http://purl.org/dc/terms/">\n'
    '  <rdf:Description rdf:about="https://data.example.gov/dataset/x">\n'
    "    <dct:title>&x;</dct:title>\n"
    "  </rdf:Description>\n"
    "</rdf:RDF>\n"
)
LAUGHS = "".join(
    f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' if i else '<!ENTITY l0 "lol">' for i in range(10)
)


def jsonld(context: object, **extra: object) -> bytes:
    doc = {
        "@context": context,
        "@id": "https://data.example.gov/dataset/x",
        "@type": "http://www.w3.org/ns/dcat#Dataset",
        **extra,
    }
    return (json.dumps(doc, indent=2) + "\n").encode()


def main() -> None:
    portal = Graph().parse(data=PORTAL, format="turtle")
    (HERE / "portal.ttl").write_text(PORTAL, encoding="utf-8")
    (HERE / "portal.jsonld").write_bytes(
        portal.serialize(format="json-ld", context=JSONLD_CONTEXT, encoding="utf-8")
    )
    (HERE / "portal.rdf").write_bytes(portal.serialize(format="xml", encoding="utf-8"))
    nt = portal.serialize(format="nt", encoding="utf-8")
    (HERE / "portal.nt").write_bytes(b"\n".join(sorted(nt.splitlines())) + b"\n")
    no_dataset = PORTAL.split("ds:beach-litter-2023 a dcat:Dataset")[0]
    cases: dict[str, tuple[bytes, str, str]] = {
        "truncated.ttl": (PORTAL.encode()[:2500], "read", "not valid turtle"),
        "bad-prefix.ttl": (
            PORTAL.replace("@prefix eu-lang:", "@prefix eu-lng:").encode(),
            "read",
            "at line 48, column 18: The prefix eu-lang: has not been declared",
        ),
        "billion-laughs.rdf": (
            f'{RDF_XML_HEAD}<!DOCTYPE rdf:RDF [{LAUGHS}<!ENTITY x "&l9;">]>\n'
            f"{RDF_XML_BODY}".encode(),
            "read",
            "DTD or entities",
        ),
        "xxe-file.rdf": (
            f'{RDF_XML_HEAD}<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
            f"{RDF_XML_BODY}".encode(),
            "read",
            "DTD or entities",
        ),
        "xxe-http.rdf": (
            f'{RDF_XML_HEAD}<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]>\n'
            f"{RDF_XML_BODY}".encode(),
            "read",
            "DTD or entities",
        ),
        "remote-context.jsonld": (
            jsonld("https://data.example.gov/context.jsonld"),
            "read",
            "remote @context",
        ),
        "remote-context-nested.jsonld": (
            jsonld(
                {"dcat": "http://www.w3.org/ns/dcat#"},
                **{
                    "http://www.w3.org/ns/dcat#distribution": {
                        "@context": ["http://127.0.0.1:9/ctx.jsonld"],
                        "@id": "https://data.example.gov/distribution/x",
                    }
                },
            ),
            "read",
            "remote @context",
        ),
        "remote-context-scoped.jsonld": (
            jsonld(
                {"dist": {"@id": "http://www.w3.org/ns/dcat#distribution", "@context": "c.jsonld"}},
                dist={"@id": "https://data.example.gov/distribution/x"},
            ),
            "read",
            "remote @context",
        ),
        "import.jsonld": (
            jsonld(
                {"@import": "http://127.0.0.1:9/ctx.jsonld", "dct": "http://purl.org/dc/terms/"}
            ),
            "read",
            "@import",
        ),
        "latin1.ttl": (
            PORTAL.replace("Müll", "M\u00fcll").encode("latin-1"),
            "read",
            "not UTF-8",
        ),
        "empty.ttl": (b"", "read", "empty"),
        "no-dataset.ttl": (no_dataset.encode(), "read", "found 0"),
        "plain.json": (b'{"id": "DF_X", "title": {"en": "x"}}\n', "read", "not JSON-LD"),
        "sdmx.xml": (
            b'<?xml version="1.0"?>\n<message:StructureSpecificData xmlns:message='
            b'"http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"/>\n',
            "read",
            "not RDF/XML",
        ),
        "unknown-suffix.rdfx": (PORTAL.encode(), "read", ".ttl, .jsonld"),
        "bad-date.ttl": (DATASET.encode(), "note", "issued: dropped 'sometime in 2021'"),
    }
    expected = {}
    for name, (content, outcome, message) in cases.items():
        (HERE / name).write_bytes(content)
        expected[name] = {"error": outcome, "message": message}
    (HERE / "expected.json").write_text(json.dumps(expected, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()

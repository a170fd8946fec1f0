"""The CI subset of the hostile corpus: a few cases of every area, quick to run (under a
minute with two workers), all passing when the list was made.

``tests/hostile/test_corpus_fast.py`` runs them under pytest, ``benchmarks/hostile_corpus.py
--fast`` with the totals table."""

from __future__ import annotations

__all__ = ["FAST"]

FAST: tuple[str, ...] = (
    # ingest CSV
    "ingest-csv/utf16-bom",
    "ingest-csv/cr-only",
    "ingest-csv/100k-columns",
    "ingest-csv/ragged-short-rows",
    "ingest-csv/duplicate-header-used",
    "ingest-csv/formula-in-rejected-value-0",
    "ingest-csv/fifo",
    "ingest-csv/dev-zero",
    # ingest JSON
    "ingest-json/nested-root-100k",
    "ingest-json/distinct-keys-bomb",
    "ingest-json/number-1e400",
    "ingest-json/kobo-next-url",
    "ingest-json/number-1m-digits",
    "ingest-json/two-documents",
    # ingest XLSX
    "ingest-xlsx/own-workbook",
    "ingest-xlsx/sheet-billion-laughs",
    "ingest-xlsx/shared-strings-xxe",
    "ingest-xlsx/zip-without-central-directory",
    # mapping specs and keys
    "spec/alias-bomb-in-dataset-keywords",
    "spec/python-object-apply",
    "spec/expression-dunder-import",
    "spec/key-dev-zero",
    "spec/key-fifo",
    "spec/key-in-spec-proc",
    "spec/spec-fifo",
    "spec/spec-dev-zero",
    # data set JSON
    "dataset/nesting-100k-validate",
    "dataset/xml-char-nul-title-sdmx",
    # SDMX-ML data and structure
    "sdmx-ml/ml21-ss-xxe",
    "sdmx-ml/ml21-ss-laughs",
    "sdmx-ml/unknown-attributes-15000",
    "sdmx-ml/one-obs-100k-attributes",
    "sdmx-structure/xxe-read",
    # SDMX-CSV
    "sdmx-csv/csv20-100k-columns",
    "sdmx-csv/csv20-wrong-header",
    # Data Packages
    "datapackage/zip-path-traversal",
    "datapackage/folder-link-to-outside",
    "datapackage/folder-fifo-resource",
    "datapackage/zip-crc-mismatch",
    "datapackage/encoding-utf-16",
    "datapackage/encoding-punycode",
    "datapackage/hash-number",
    "datapackage/missing-codelist",
    # DCAT and SHACL
    "dcat/rdf-billion-laughs",
    "dcat/jsonld-remote-context",
    "dcat/ttl-json-literal-nesting-100k",
    "shacl/service",
    "shacl/rdfxml-doctype",
    # command line
    "cli/datapackage-write-to-dev-null",
    "cli/sdmx-read-to-fifo",
    "cli/dcat-write-to-link-proc-fd-1",
    "cli/sdmx-write-below-a-file",
    "cli/output-is-input-sdmx-read",
    "cli/output-is-input-dcat-write",
    "cli/path-4096-chars",
    "cli/datapackage-write-to-empty",
    "cli/validate-fifo",
    "cli/dcat-write-bad-base-iri",
)

"""Reading a cube back: the data structure, the data-set attribute values and the
observation table, column by column with Arrow kernels."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cdinterop import limits
from cdinterop._files import check_input
from cdinterop.datacube._description import Description, Graph, literal_value
from cdinterop.datacube._terms import parse_term, unescape
from cdinterop.datacube._triples import FORMATS, Triples, read_triples
from cdinterop.datacube._vocab import QB, RDF
from cdinterop.errors import InvalidDatasetError, ReadError
from cdinterop.model import (
    AttachmentLevel,
    Codelist,
    DataStructure,
    Measure,
    Observations,
)
from cdinterop.model._internal import arrow_type

__all__ = ["Cube", "read"]

_LEXICAL = r'^"(?P<lexical>.*)"(?:\^\^<[^>]*>|@[A-Za-z0-9-]+)?$'


@dataclass(frozen=True)
class Cube:
    """What a Data Cube file carries of a data set."""

    dataset_id: str
    """The data set's id (``dct:identifier`` of the ``qb:DataSet``)."""
    title: dict[str, str]
    """Its title, by language."""
    structure: DataStructure
    """The data structure (see the documentation for what the cube does not carry)."""
    observations: Observations
    """The observations, in row order, conformed to ``structure``."""
    attribute_values: dict[str, Any] = field(default_factory=dict)
    """Values of the data-set attributes, by attribute id."""
    iri: str = ""
    """The IRI of the ``qb:DataSet``."""


def _rows_with(triples: Triples, predicate: str, obj: str) -> np.ndarray:
    """The numbers of the subjects of ``? predicate obj``."""
    mask = triples.p == triples.predicate(predicate)
    objects = triples.objects(mask)
    chosen = pc.equal(objects, obj).to_numpy(zero_copy_only=False)
    return np.unique(triples.s[mask][chosen])


def _only_dataset(triples: Triples, source: str) -> str:
    found = _rows_with(triples, f"<{RDF}type>", f"<{QB}DataSet>")
    if len(found) != 1:
        raise ReadError(source, f"a Data Cube file holds one qb:DataSet, this one {len(found)}")
    return str(triples.subjects[int(found[0])].as_py())


def _observation_order(triples: Triples, numbers: np.ndarray, dataset: str) -> np.ndarray:
    """Observations (subject numbers) by row number when their IRIs end in one (as
    written), else in file order."""
    prefix = f"<{parse_term(dataset).value}/obs/"
    subjects = triples.subjects.take(pa.array(numbers))
    if len(subjects) and pc.all(pc.starts_with(subjects, prefix)).as_py():
        rows = pc.utf8_slice_codeunits(subjects, len(prefix), -1)
        if pc.all(pc.match_substring_regex(rows, r"^[0-9]{1,18}$")).as_py():
            order = np.argsort(rows.cast(pa.int64()).to_numpy(), kind="stable")
            return numbers[order]
    return numbers


def _lexical_forms(terms: pa.Array) -> pa.Array:
    lexical = pc.struct_field(pc.extract_regex(terms, _LEXICAL), "lexical")
    escaped = pc.match_substring(lexical, "\\")
    if pc.any(escaped).as_py():
        values = [unescape(v) if v is not None else None for v in lexical.to_pylist()]
        lexical = pa.array(values, pa.string())
    return lexical


def _external_code(term: str, node: str) -> str | None:
    """The code of a term below an external code list's IRI (its codes are not listed)."""
    prefix = node[:-1] + "/"
    return unquote(term[len(prefix) : -1]) if term.startswith(prefix) else None


def _codes(
    terms: pa.Array, codes: dict[str, str], node: str, codelist: Codelist, source: str
) -> pa.Array:
    """Code terms as code ids (each distinct term looked up once)."""
    encoded = terms.dictionary_encode()
    ids = []
    for term in encoded.dictionary.to_pylist():
        code = _external_code(term, node) if codelist.external else codes.get(term)
        if code is None:
            raise ReadError(source, f"{term} is not a code of {codelist.ref}")
        ids.append(code)
    return pa.array(ids, pa.string()).take(encoded.indices)


def _typed(lexical: pa.Array, arrow: pa.DataType, measure: bool) -> pa.Array:
    if measure:  # NaN is a missing measure (the model holds no NaN)
        lexical = pc.if_else(pc.equal(lexical, "NaN"), pa.scalar(None, pa.string()), lexical)
    return lexical.cast(arrow)


@dataclass
class _Columns:
    triples: Triples
    row_of: np.ndarray
    """The row of each subject number (``-1``: not an observation)."""
    rows: int
    description: Description
    source: str

    def terms(self, prop: str) -> pa.Array:
        """The object term of ``prop`` on each observation, null where it has none."""
        mask = self.triples.p == self.triples.predicate(prop)
        rows = self.row_of[self.triples.s[mask]]
        objects = self.triples.objects(mask)
        where = np.full(self.rows, -1, np.int64)
        where[rows[rows >= 0]] = np.flatnonzero(rows >= 0)
        return objects.take(pa.array(where, mask=where < 0))

    def column(self, component: Any) -> pa.Array:
        """The values of a component on each observation, typed."""
        terms = self.terms(self.description.properties[component.id])
        codelist = _codelist_term(self.description, component)
        if codelist is not None:
            codes = self.description.codes.get(codelist, {})
            listed = self.description.codelists[codelist]
            return _codes(terms, codes, codelist, listed, self.source)
        arrow = arrow_type(component)  # the table's type: text for time periods
        return _typed(_lexical_forms(terms), arrow, isinstance(component, Measure))


def _description(triples: Triples, observations: np.ndarray) -> list[tuple[str, str, str]]:
    """The triples of every subject that is not an observation, as terms."""
    is_observation = np.zeros(len(triples.subjects), bool)
    is_observation[observations] = True
    mask = ~is_observation[triples.s]
    s = triples.subjects.take(pa.array(triples.s[mask])).to_pylist()
    p = triples.predicates.take(pa.array(triples.p[mask])).to_pylist()
    o = triples.objects(mask).to_pylist()
    return list(zip(s, p, o, strict=True))


def _structure(description: Description, source: str) -> DataStructure:
    try:
        return DataStructure(**description.structure_fields())
    except (ValueError, KeyError) as exc:
        raise ReadError(source, f"not a data structure cdinterop can read: {exc}") from None


def _dataset_values(description: Description, structure: DataStructure) -> dict[str, Any]:
    g = description.graph
    values: dict[str, Any] = {}
    for attribute in structure.attributes:
        if attribute.attachment is not AttachmentLevel.DATASET:
            continue
        term = g.one(description.dataset, parse_term(description.properties[attribute.id]).value)
        codelist = _codelist_term(description, attribute)
        if term is None:
            continue
        if codelist is not None:
            code = description.codes.get(codelist, {}).get(term) or _external_code(term, codelist)
            values[attribute.id] = code
        else:
            values[attribute.id] = literal_value(parse_term(term), attribute.value_type)
    return values


def _codelist_term(description: Description, component: Any) -> str | None:
    """The term of a component's code list, if it is coded."""
    ref = getattr(component, "codelist", None)
    if ref is None:
        return None
    for node, codelist in description.codelists.items():
        if codelist.id == ref or codelist.ref == ref:
            return node
    return None


def _format(path: Path, fmt: str | None) -> str:
    name = fmt or FORMATS.get(path.suffix.lower())
    if name not in ("nt", "turtle"):
        raise ReadError(str(path), "a Data Cube is read from N-Triples (.nt) or Turtle (.ttl)")
    return name


def read(path: str | Path, format: str | None = None) -> Cube:
    """Read a cube that [`write()`][cdinterop.datacube.write] wrote (N-Triples or Turtle,
    guessed from the suffix unless ``format`` says ``nt`` or ``turtle``).

    Oxigraph parses the file (nothing is fetched over the network); the observations
    are assembled column by column with Arrow and checked against the structure read."""
    source = Path(path)
    check_input(source)
    if not source.is_file():
        raise ReadError(str(source), "no such file")
    triples = read_triples(source, _format(source, format))
    dataset = _only_dataset(triples, str(source))
    members = _rows_with(triples, f"<{QB}dataSet>", dataset)
    limits.exceeded(str(source), "rows", len(members), f"{len(members):,} observations")
    graph = Graph(_description(triples, members))
    description = Description(graph, dataset)
    structure = _structure(description, str(source))
    ordered = _observation_order(triples, members, dataset)
    row_of = np.full(len(triples.subjects), -1, np.int64)
    row_of[ordered] = np.arange(len(ordered))
    columns = _Columns(triples, row_of, len(ordered), description, str(source))
    table = {}
    for component_id in structure.column_ids:
        table[component_id] = columns.column(structure.component(component_id))
    conformed, issues = Observations(pa.table(table) if table else None).conform(structure)
    if issues:
        raise InvalidDatasetError(issues, context=f"observations of {source}")
    return Cube(
        dataset_id=graph.text(dataset, "http://purl.org/dc/terms/identifier") or "",
        title=graph.texts(dataset, "http://purl.org/dc/terms/title") or {},
        structure=structure,
        observations=conformed,
        attribute_values=_dataset_values(description, structure),
        iri=parse_term(dataset).value,
    )

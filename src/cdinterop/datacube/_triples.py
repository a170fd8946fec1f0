"""An RDF file as arrays of N-Triples terms, subjects and predicates dictionary-encoded.

Oxigraph parses the file (N-Triples or Turtle; it never fetches anything; leniently) and
writes it again as canonical N-Triples to a temporary file: one triple per line, every control
character escaped. Arrow's CSV reader then reads those lines as one column and splits
each at its first two spaces (IRIs and blank node labels hold none: a line whose subject
or predicate is not one whole term is refused), so no Python object is made per triple.
Subjects and predicates are dictionary-encoded (a million observations share a dozen
predicates; each subject has a dozen triples), objects per batch.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from cdinterop.errors import ReadError

__all__ = ["FORMATS", "Triples", "read_triples"]

FORMATS = {".nt": "nt", ".ttl": "turtle", ".turtle": "turtle"}


@dataclass(frozen=True)
class Triples:
    """The triples of a file: subject and predicate numbers into their dictionaries,
    object terms (dictionary-encoded per batch)."""

    subjects: pa.Array
    """The distinct subject terms."""
    predicates: pa.Array
    """The distinct predicate terms."""
    s: np.ndarray
    """Each triple's subject, as a position in ``subjects``."""
    p: np.ndarray
    """Each triple's predicate, as a position in ``predicates``."""
    o: pa.ChunkedArray
    """Each triple's object term."""

    def predicate(self, term: str) -> int:
        """The number of a predicate term, ``-1`` if no triple has it."""
        return int(pc.index(self.predicates, term).as_py())

    def objects(self, mask: np.ndarray) -> pa.Array:
        """The object terms of the triples selected by a boolean mask, as strings."""
        picked = pc.filter(self.o, pa.array(mask))
        return picked.cast(pa.string()).combine_chunks()

    def __len__(self) -> int:
        return len(self.s)


def _canonical(path: Path, fmt: str, target: Path) -> None:
    import pyoxigraph as ox

    rdf_format = ox.RdfFormat.N_TRIPLES if fmt == "nt" else ox.RdfFormat.TURTLE
    try:
        with target.open("wb") as out:
            # lenient: IRIs are not checked against RFC 3987 (twice as fast); the split
            # below refuses any subject or predicate that is not one whole term, and every
            # value is checked against the structure
            parsed = ox.parse(path=path, format=rdf_format, without_named_graphs=True, lenient=True)
            ox.serialize(parsed, out, ox.RdfFormat.N_TRIPLES)
    except SyntaxError as exc:
        raise ReadError(str(path), f"not valid {fmt}: {exc}") from None


def _split(lines: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    parts = pc.split_pattern(lines, " ", max_splits=2)
    s, p = pc.list_element(parts, 0), pc.list_element(parts, 1)
    o = pc.utf8_slice_codeunits(pc.list_element(parts, 2), 0, -2)  # the final " ."
    return pc.dictionary_encode(s), pc.dictionary_encode(p), pc.dictionary_encode(o)


def _unified(chunks: list[pa.Array]) -> tuple[pa.Array, np.ndarray]:
    """One dictionary for dictionary-encoded chunks, and the indices into it."""
    if not chunks:
        return pa.array([], pa.string()), np.zeros(0, np.int64)
    table = pa.table({"c": pa.chunked_array(chunks)}).unify_dictionaries()
    column = table.column("c")
    indices = np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in column.chunks])
    return column.chunk(0).dictionary, indices.astype(np.int64)


def read_triples(path: Path, fmt: str) -> Triples:
    """The triples of an N-Triples or Turtle file."""
    s_chunks, p_chunks, o_chunks = [], [], []
    with tempfile.TemporaryDirectory(prefix="cdinterop-cube-") as folder:
        canonical = Path(folder) / "triples.nt"
        _canonical(path, fmt, canonical)
        reader = pv.open_csv(
            canonical,
            read_options=pv.ReadOptions(column_names=["line"], block_size=1 << 25),
            parse_options=pv.ParseOptions(
                delimiter="\x01", quote_char=False, escape_char=False, double_quote=False
            ),
            convert_options=pv.ConvertOptions(
                column_types={"line": pa.string()}, strings_can_be_null=False
            ),
        )
        for batch in reader:
            s, p, o = _split(batch.column(0))
            s_chunks.append(s)
            p_chunks.append(p)
            o_chunks.append(o)
    subjects, s_idx = _unified(s_chunks)
    predicates, p_idx = _unified(p_chunks)
    for terms in (subjects, predicates):
        whole = pc.or_(pc.ends_with(terms, ">"), pc.starts_with(terms, "_:"))
        if len(terms) and not pc.all(whole).as_py():
            raise ReadError(str(path), "a subject or predicate is not one IRI or blank node")
    objects = pa.chunked_array(o_chunks, pa.dictionary(pa.int32(), pa.string()))
    return Triples(subjects, predicates, s_idx, p_idx, objects)

"""Benchmark: a million observations as an RDF Data Cube, written, read back, and the same
triples built with rdflib for comparison.

    PYTHONPATH=src python benchmarks/bench_datacube.py --observations 1000000

1. builds a data set of N observations from the public-services example: its 883
   observations repeated with the time period 1000, 1001, ... so that every key stays
   distinct (``replace()`` checks them all against the structure);
2. writes the cube as N-Triples and as Turtle (``datacube.write``), each into a fresh
   file of a temporary folder, and counts the triples of the N-Triples file;
3. reads the N-Triples file back (``datacube.read``) and checks the observations;
4. builds the triples of the first ``--rdflib`` observations (50,000 by default) the way
   a Python writer would, one ``Graph.add`` per triple with rdflib terms, serialises the
   graph as N-Triples, and prints its speed beside ``datacube.write`` on the same subset;
5. prints for every step seconds, triples/s and the peak memory of the step (VmHWM,
   reset before each step through /proc/self/clear_refs where the kernel allows it).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from bench_dcat import _status_mb  # noqa: E402  (the memory reading of the DCAT benchmark)

EXAMPLE = HERE.parent / "examples" / "public-services-satisfaction" / "dataset.json"
T = TypeVar("T")


def _reset_peak() -> None:
    """Start a new peak-memory measurement (Linux: ``echo 5 > /proc/self/clear_refs``)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _timed(label: str, count: Callable[[T], int], step: Callable[[], T]) -> tuple[T, float]:
    """Run ``step`` and print its seconds, triples/s (``count`` of its result) and peak."""
    gc.collect()
    _reset_peak()
    start = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - start
    triples = count(result)
    rate = triples / seconds if seconds else float("inf")
    print(
        f"{label:<34} {triples:>12,} triples {seconds:>8.2f} s {rate:>12,.0f} triples/s"
        f"   peak {_status_mb('VmHWM'):>8,.0f} MB",
        flush=True,
    )
    return result, seconds


def dataset(n: int) -> Any:
    """The example with ``n`` observations (its rows repeated over distinct years)."""
    import pyarrow as pa

    import cdinterop

    base = cdinterop.load(EXAMPLE)
    table = base.observations.table
    column = table.schema.get_field_index("TIME_PERIOD")
    copies = []
    for i in range(-(-n // table.num_rows)):
        years = pa.array([str(1000 + i)] * table.num_rows)
        copies.append(table.set_column(column, "TIME_PERIOD", years))
    big = pa.concat_tables(copies).slice(0, n).combine_chunks()
    return base.replace(observations=big)


def _lines(path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 24):
            count += chunk.count(b"\n")
    return count


def rdflib_graph(ds: Any) -> Any:
    """The cube's triples built one ``Graph.add`` at a time with rdflib terms: the
    description parsed from ``datacube.iter_ntriples`` (a few hundred triples), every
    observation's triples added in Python."""
    from rdflib import RDF, Graph, Literal, Namespace, URIRef

    from cdinterop import datacube

    qb = Namespace("http://purl.org/linked-data/cube#")
    xsd = Namespace("http://www.w3.org/2001/XMLSchema#")
    graph = Graph()
    first = next(iter(datacube.iter_ntriples(ds)))
    graph.parse(data=bytes(first), format="nt")
    cube = datacube.dataset_iri(ds)
    structure = ds.structure
    plans = []
    for component_id in structure.column_ids:
        component = structure.component(component_id)
        codelist = getattr(component, "codelist", None)
        prefix = None
        if codelist is not None:
            cl = structure.codelist(codelist)
            prefix = f"{cube}/codelist/{cl.agency}/{cl.id}/{cl.version}/"
        datatypes = {"integer": xsd.integer, "decimal": xsd.double}
        datatype = datatypes.get(str(getattr(component, "value_type", "")))
        plans.append((component_id, URIRef(f"{cube}/property/{component_id}"), prefix, datatype))
    dataset_node = URIRef(cube)
    for row, record in enumerate(ds.observations.to_records()):
        obs = URIRef(f"{cube}/obs/{row}")
        graph.add((obs, RDF.type, qb.Observation))
        graph.add((obs, qb.dataSet, dataset_node))
        for component_id, prop, prefix, datatype in plans:
            value = record.get(component_id)
            if value is None:
                if component_id == "OBS_VALUE":
                    graph.add((obs, prop, Literal("NaN", datatype=xsd.double)))
                continue
            if prefix is not None:
                graph.add((obs, prop, URIRef(prefix + quote(value, safe="-_~."))))
            else:
                graph.add((obs, prop, Literal(value, datatype=datatype)))
    return graph


def full_size(ds: Any, folder: Path) -> None:
    """Write the cube as N-Triples and Turtle, read the N-Triples back."""
    from cdinterop import datacube

    nt, ttl = folder / "cube.nt", folder / "cube.ttl"
    datacube.write(ds.replace(observations=[]), nt)  # imports warmed up
    nt.unlink()
    _timed("write N-Triples", lambda path: _lines(path), lambda: datacube.write(ds, nt))
    triples = _lines(nt)
    print(f"  ({nt.stat().st_size / 1e9:.2f} GB)")
    _timed("write Turtle", lambda _: triples, lambda: datacube.write(ds, ttl))
    print(f"  ({ttl.stat().st_size / 1e9:.2f} GB)")
    ttl.unlink()
    cube, _ = _timed("read N-Triples", lambda _: triples, lambda: datacube.read(nt))
    print(f"  observations equal: {cube.observations == ds.observations}")
    nt.unlink()


def compared_with_rdflib(subset: Any, folder: Path) -> None:
    """The same triples of a subset written by ``datacube.write`` and by rdflib."""
    from cdinterop import datacube

    small = folder / "subset.nt"
    _, ours = _timed("datacube.write subset", _lines, lambda: datacube.write(subset, small))
    count = _lines(small)

    def with_rdflib() -> int:
        graph = rdflib_graph(subset)
        graph.serialize(folder / "rdflib.nt", format="nt", encoding="utf-8")
        return len(graph)

    built, theirs = _timed("rdflib Graph.add + serialize", lambda n: n, with_rdflib)
    print(
        f"\nsubset of {len(subset.observations):,} observations: datacube {count:,} triples "
        f"in {ours:.2f} s ({count / ours:,.0f}/s), rdflib {built:,} triples in {theirs:.2f} s "
        f"({built / theirs:,.0f}/s): datacube is {theirs / ours:.1f}x faster"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--observations", "--n", type=int, default=1_000_000)
    parser.add_argument("--rdflib", type=int, default=50_000, help="observations for rdflib")
    args = parser.parse_args(argv)

    import rdflib

    print(f"RDF Data Cube of {args.observations:,} observations, rdflib {rdflib.__version__}")
    start = time.perf_counter()
    ds = dataset(args.observations)
    print(f"{'build and check the data set':<34} {time.perf_counter() - start:>29.2f} s")
    with tempfile.TemporaryDirectory(prefix="bench-datacube-") as folder:
        full_size(ds, Path(folder))
        subset = ds.replace(observations=ds.observations.table.slice(0, args.rdflib))
        del ds
        compared_with_rdflib(subset, Path(folder))


if __name__ == "__main__":
    main()

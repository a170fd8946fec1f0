"""Benchmark: a DCAT catalogue of N data sets with rdflib, merged, written and read back.

    python benchmarks/bench_dcat.py --n 10000

1. builds N copies of the marine-litter example's metadata (observations dropped) with
   ids DF_0 .. DF_{N-1}; the ids of its provenance activities and sources get the same
   suffix, since they become catalogue-wide IRIs (``<base>activity/<id>``,
   ``<base>source/<id>``) that would otherwise merge across data sets (agents stay
   shared: the same organisations and volunteers, with identical triples);
2. ``dcat.to_graph`` for each and adds the triples into one ``rdflib.Graph`` together
   with a ``dcat:Catalog`` that lists every data set;
3. serialises the graph to Turtle and to JSON-LD and parses each back;
4. prints for every step the triples, seconds and triples/s, and the peak memory
   (VmHWM from /proc/self/status).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

EXAMPLE = HERE.parent / "examples" / "marine-litter-ghana" / "dataset.json"
T = TypeVar("T")


def _peak_mb() -> float:
    """Peak resident memory of this process so far (VmHWM)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def datasets(n: int) -> list[Any]:
    """``n`` copies of the example's metadata, DF_0 .. DF_{n-1}, no observations."""
    import cdinterop

    base = cdinterop.load(EXAMPLE)
    template = base.provenance.model_dump(mode="json")
    out = []
    for i in range(n):
        prov = dict(template)
        prov["sources"] = [{**s, "id": f"{s['id']}_{i}"} for s in template["sources"]]
        prov["activities"] = [
            {
                **a,
                "id": f"{a['id']}_{i}",
                "used": [f"{u}_{i}" for u in a["used"]],
                "generated": [f"{g}_{i}" for g in a["generated"]],
            }
            for a in template["activities"]
        ]
        out.append(base.replace(id=f"DF_{i}", observations=[], provenance=prov))
    return out


def merge(items: list[Any]) -> Any:
    """One graph: every data set's DCAT graph plus a catalogue listing them."""
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import DCAT, DCTERMS, RDF

    from cdinterop import dcat

    graph = Graph()
    catalogue = URIRef(f"{dcat.DEFAULT_BASE_IRI}catalogue")
    graph.add((catalogue, RDF.type, DCAT.Catalog))
    graph.add((catalogue, DCTERMS.title, Literal("Benchmark catalogue", lang="en")))
    for i, ds in enumerate(items):
        part = dcat.to_graph(ds)
        if i == 0:  # the prefixes to_graph binds, for readable Turtle and JSON-LD
            for prefix, namespace in part.namespaces():
                graph.bind(prefix, namespace)
        graph += part
        graph.add((catalogue, DCAT.dataset, URIRef(f"{dcat.DEFAULT_BASE_IRI}dataset/{ds.id}")))
    return graph


def _timed(label: str, triples: Callable[[T], int], step: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - start
    count = triples(result)
    rate = count / seconds if seconds else float("inf")
    print(
        f"{label:<22} {count:>11,} triples {seconds:>9.2f} s {rate:>12,.0f} triples/s"
        f"   peak {_peak_mb():>8,.0f} MB",
        flush=True,
    )
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=10_000, help="data sets (default 10,000)")
    args = parser.parse_args(argv)

    import rdflib

    from cdinterop import dcat

    print(f"DCAT catalogue of {args.n:,} data sets, rdflib {rdflib.__version__}")
    start = time.perf_counter()
    items = datasets(args.n)
    print(f"{'build data sets':<22} {time.perf_counter() - start:>29.2f} s", flush=True)
    one = len(dcat.to_graph(items[0]))
    graph = _timed("to_graph + merge", len, lambda: merge(items))
    total = len(graph)
    print(f"  ({one:,} triples per data set before merging, {total:,} after)")

    for fmt in ("turtle", "json-ld"):

        def write(f: str = fmt) -> bytes:
            return bytes(graph.serialize(format=f, encoding="utf-8"))

        def read(d: bytes, f: str = fmt) -> rdflib.Graph:
            return rdflib.Graph().parse(data=d, format=f)

        data = _timed(f"serialise {fmt}", lambda _b: total, write)
        print(f"  ({len(data) / 1e6:,.1f} MB)")

        def parse(d: bytes = data) -> rdflib.Graph:
            return read(d)

        back = _timed(f"parse {fmt}", len, parse)
        if len(back) != total:
            print(f"  !! parsed {len(back):,} triples, wrote {total:,}")
        del data, back
    print(f"peak memory {_peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()

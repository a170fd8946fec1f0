"""Benchmark: SHACL validation of a DCAT catalogue of N data sets, per engine.

    PYTHONPATH=src python benchmarks/bench_shacl.py --datasets 10000
    PYTHONPATH=src python benchmarks/bench_shacl.py --datasets 1000 --shapes split

1. builds the catalogue as N-Triples, or loads it from the cache (``--cache``, default
   the system's temporary folder): the marine-litter example's metadata as N distinct data
   sets DF_0 .. DF_{N-1} (``bench_dcat.datasets``: numbered titles, agents scoped by the
   data set). ``dcat.to_graph`` is slow (about 100 s for 10,000), so it describes a
   catalogue of two data sets once; the lines of DF_0 are copied for every data set with
   its id and title, and the catalogue's own description and ``cdi:catalogJson`` are
   written for N (checked: for 3 data sets the result equals ``to_graph``'s triples).
   Every ``--plant``-th data set (default 50th) gets three violations: no title, a literal
   landing page, a blank node distribution without access URL;
2. validates it against the official DCAT-AP 3.0.1 shapes (``--shapes full``:
   ``dcat-ap-SHACL.ttl``; ``split``: ``shapes.ttl`` + ``range.ttl`` +
   ``mdr-vocabularies.shape.ttl``; from ``../shared/standards``), each engine in its own
   process (so that its peak memory is its own):

   - ``rudof-parts``: ``validate_ntriples(file, engine="rudof")``, the catalogue path
     (in parts, in parallel, when it is large);
   - ``rudof-one``: one rudof run over the whole file (up to ``--one-max`` data sets: rudof
     holds about 5 KB per triple);
   - ``pyshacl``: rdflib parses the file, pySHACL validates (up to ``--pyshacl-max`` data
     sets; beyond, its time is extrapolated linearly from the largest size measured, and
     said so);

3. prints for each engine the seconds (parsing included), triples/s, peak memory (the
   process and its largest worker), its CPU seconds (with its workers: on a busy machine
   the wall-clock time says more about the neighbours) and whether its issues equal the
   others'.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

STANDARD = HERE.parent.parent / "shared" / "standards" / "dcat-ap-3.0.1"
FORMS = {
    "full": ("dcat-ap-SHACL.ttl",),
    "split": ("shapes.ttl", "range.ttl", "mdr-vocabularies.shape.ttl"),
}
ENGINES = ("rudof-parts", "rudof-one", "pyshacl")


# -- the catalogue ---------------------------------------------------------------------------


_JSON = "https://w3id.org/cdinterop/vocab#catalogJson"
_DESCRIPTION = "<http://purl.org/dc/terms/description>"


def _catalogue_lines(shared: list[str], n: int) -> list[str]:
    """The shared lines with the catalogue's description and JSON written for ``n``."""
    from rdflib import Graph, Literal, URIRef

    graph = Graph().parse(data="\n".join(shared), format="nt")
    out = []
    for line in shared:
        subject, predicate, _rest = line.split(" ", 2)
        if predicate == f"<{_JSON}>":
            document = json.loads(str(graph.value(URIRef(subject[1:-1]), URIRef(_JSON))))
            document["datasets"] = [f"DF_{i}" for i in range(n)]
            document["description"] = {"en": f"{n:,} generated citizen data sets"}
            text = json.dumps(document, sort_keys=True, ensure_ascii=False)
            out.append(f"{subject} {predicate} {Literal(text).n3()} .")
        elif predicate == _DESCRIPTION and "generated citizen data sets" in line:
            text = Literal(f"{n:,} generated citizen data sets", lang="en").n3()
            out.append(f"{subject} {predicate} {text} .")
        else:
            out.append(line)
    return out


_DATASET = "<https://example.org/cdinterop/dataset/DF_{i}>"
_TITLE = "<http://purl.org/dc/terms/title>"


def _planted(i: int) -> str:
    """Three violations for data set ``i``: a literal landing page, a blank node
    distribution without access URL, and (in the block) no title."""
    dataset = _DATASET.format(i=i)
    dcat = "http://www.w3.org/ns/dcat#"
    return (
        f'{dataset} <{dcat}landingPage> "https://example.org/DF_{i}" .\n'
        f"{dataset} <{dcat}distribution> _:planted{i} .\n"
        f"_:planted{i} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{dcat}Distribution> .\n"
    )


def build(n: int, path: Path, plant: int = 0) -> None:
    """Write the N-Triples of a catalogue of ``n`` data sets to ``path``; every
    ``plant``-th data set (0: none) with three violations."""
    from bench_dcat import catalogue_graph, datasets

    lines = catalogue_graph(datasets(2)).serialize(format="nt", encoding="utf-8").decode()
    shared, own = [], []
    for line in lines.splitlines():
        if "DF_0" in line and "DF_1" in line:
            shared.append(line)  # the catalogue's JSON: written for n below
        elif "DF_1" not in line:
            (own if "DF_0" in line else shared).append(line)
    block = "\n".join(own) + "\n"
    with path.open("w", encoding="utf-8") as out:
        out.write("\n".join(_catalogue_lines(shared, n)) + "\n")
        for i in range(n):
            text = block.replace("DF_0", f"DF_{i}").replace(' (0)"@', f' ({i})"@')
            if plant and i % plant == 0:
                title = f"{_DATASET.format(i=i)} {_TITLE} "
                text = "".join(
                    line for line in text.splitlines(keepends=True) if not line.startswith(title)
                )
                text += _planted(i)
            out.write(text)


def catalogue(n: int, cache: Path, plant: int) -> Path:
    """The cached N-Triples of a catalogue of ``n`` data sets (built when missing)."""
    path = cache / f"cdinterop-bench-shacl-{n}-plant{plant}.nt"
    if not path.is_file():
        start = time.perf_counter()
        partial = path.with_suffix(".partial")
        build(n, partial, plant)
        partial.replace(path)
        print(f"built {path} in {time.perf_counter() - start:.1f} s", flush=True)
    return path


# -- one engine, in its own process ------------------------------------------------------------


def _shapes(form: str) -> Any:
    from rdflib import Graph

    graph = Graph()
    for name in FORMS[form]:
        graph.parse(STANDARD / name, format="turtle")
    return graph


def _peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def run_engine(engine: str, path: Path, form: str, out: Path) -> None:
    """Validate ``path`` with ``engine``; write seconds, memory and issues to ``out``."""
    from rdflib import Graph

    from cdinterop.dcat._shacl import _sort_key, validate_graph, validate_ntriples
    from cdinterop.dcat._shacl_rudof import rudof_issues

    shapes = _shapes(form)
    start = time.perf_counter()
    if engine == "rudof-parts":
        issues = validate_ntriples(path, shapes, engine="rudof")
    elif engine == "rudof-one":
        issues = sorted(
            rudof_issues(path, shapes, names_graph=Graph(), source=str(path)), key=_sort_key
        )
    else:
        data = Graph().parse(path, format="nt")
        issues = validate_graph(data, shapes, source=str(path), engine="pyshacl")
    seconds = time.perf_counter() - start
    own, children = _peak_mb()
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    result = {
        "seconds": seconds,
        "cpu_seconds": sum(u.ru_utime + u.ru_stime for u in usage),
        "own_mb": own,
        "worker_mb": children,
        "issues": [[i.location, i.code, i.message, i.value, i.component] for i in issues],
    }
    out.write_text(json.dumps(result), encoding="utf-8")


def _measure(engine: str, path: Path, form: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "result.json"
        command = [sys.executable, __file__, "--run", engine, "--file", str(path)]
        command += ["--shapes", form, "--out", str(out)]
        env = {**os.environ, "PYTHONPATH": str(HERE.parent / "src")}
        subprocess.run(command, check=True, env=env)
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        return result


# -- the report ----------------------------------------------------------------------------------


def _triples(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())


def _row(engine: str, n: int, triples: int, result: dict[str, Any], equal: str) -> str:
    seconds = result["seconds"]
    rate = triples / seconds if seconds else float("inf")
    memory = f"{result['own_mb']:>7,.0f} MB + {result['worker_mb']:>6,.0f} MB"
    cpu = f"{result.get('cpu_seconds', 0):>7.1f} s CPU"
    return (
        f"{engine:<12} {n:>7,} {seconds:>8.1f} s {cpu} {rate:>9,.0f} triples/s   {memory}"
        f"   {len(result['issues']):>6,} issues   {equal}"
    )


def _pyshacl_extrapolated(n: int, limit: int, cache: Path, form: str, plant: int) -> dict[str, Any]:
    """pySHACL's time measured at ``limit`` data sets, scaled linearly to ``n``."""
    small = catalogue(limit, cache, plant)
    result = _measure("pyshacl", small, form)
    scaled = dict(result, seconds=result["seconds"] * n / limit, issues=[])
    print(
        f"  pyshacl at {limit:,} data sets: {result['seconds']:.1f} s; "
        f"extrapolated to {n:,}: {scaled['seconds']:.0f} s (not run)",
        flush=True,
    )
    return scaled


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--datasets", "--n", type=int, default=10_000, help="default 10,000")
    parser.add_argument("--shapes", choices=sorted(FORMS), default="full")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated")
    parser.add_argument("--pyshacl-max", type=int, default=1_000, help="largest pySHACL run")
    parser.add_argument("--one-max", type=int, default=2_000, help="largest one-piece run")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument(
        "--plant", type=int, default=50, help="violations in every k-th data set (0: none)"
    )
    parser.add_argument("--run", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run:
        run_engine(args.run, args.file, args.shapes, args.out)
        return
    if not all((STANDARD / name).is_file() for name in FORMS[args.shapes]):
        sys.exit(f"the DCAT-AP 3.0.1 shapes are not at {STANDARD}")
    n = args.datasets
    path = catalogue(n, args.cache, args.plant)
    triples = _triples(path)
    print(
        f"catalogue of {n:,} data sets: {triples:,} triples; shapes: {args.shapes}; "
        f"violations planted in every {args.plant}th data set"
        if args.plant
        else ""
    )
    print(
        f"{os.cpu_count()} CPUs; CPU: the engine's process and its workers (setting up the "
        "shapes included); peak memory: the process + its largest worker"
    )
    results: dict[str, dict[str, Any]] = {}
    for engine in args.engines.split(","):
        if engine == "pyshacl" and n > args.pyshacl_max:
            results["pyshacl (extrapolated)"] = _pyshacl_extrapolated(
                n, args.pyshacl_max, args.cache, args.shapes, args.plant
            )
            continue
        if engine == "rudof-one" and n > args.one_max:
            print(f"  rudof-one skipped above {args.one_max:,} data sets (memory)")
            continue
        print(f"{engine} ...", flush=True)
        results[engine] = _measure(engine, path, args.shapes)
    measured = {k: v for k, v in results.items() if "extrapolated" not in k}
    reference = next(iter(measured.values()))["issues"] if measured else []
    print()
    for engine, result in results.items():
        if "extrapolated" in engine:
            equal = "not run"
        else:
            equal = "equal" if result["issues"] == reference else "DIFFERENT"
        print(_row(engine, n, triples, result, equal))


if __name__ == "__main__":
    main()

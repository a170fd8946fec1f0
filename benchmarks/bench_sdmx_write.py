"""Benchmark: writing SDMX data messages with cdinterop, pysdmx and sdmx1.

Writes the same SDG-style observation table (built by ``bench_observations.table``, same
seed, so a smaller table is a prefix of a larger one) in each SDMX data format:

* SDMX-ML 2.1 structure-specific, flat (``ml21-ss``) and time series (``ml21-ss-ts``);
* SDMX-ML 2.1 generic, time series (``ml21-generic``);
* SDMX-ML 3.0 structure-specific, flat (``ml30-ss``) and time series (``ml30-ss-ts``);
* SDMX-CSV 1.0 (``csv10``) and 2.0 (``csv20``);

with cdinterop (``cdinterop.sdmx.FORMATS[name].write``) and, in the same run, with the
reference libraries where they support the format:

* pysdmx: a ``PandasDataset`` whose structure is a ``Schema`` built from the same
  components, written with ``pysdmx.io.write_sdmx`` (``prettyprint=False``);
* sdmx1: a ``DataMessage`` holding an sdmx1 data set (``sdmx.model.v21``) whose DSD has
  the same components, written with ``sdmx.to_xml`` (SDMX-ML 2.1 only) and ``sdmx.to_csv``.

Each (format, library) pair runs in a fresh child process (this script with ``--child``)
that makes a 100-row warm-up write (so imports and one-off set-up are not timed), builds
the table, converts it to the library's input (the *build*, timed apart), notes its RSS,
resets the peak-RSS mark (``/proc/self/clear_refs``), writes, and reports the write time,
the peak RSS during the write and the output size. sdmx1 (and pysdmx with
``--pysdmx-sample``) run on a prefix sample of the table; their rate is extrapolated.

    python benchmarks/bench_sdmx_write.py --rows 1000000
    python benchmarks/bench_sdmx_write.py --rows 100000 --ref-sample 20000 --only csv10,ml21-ss
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
FORMAT_NAMES = ("ml21-ss", "ml21-ss-ts", "ml21-generic", "ml30-ss", "ml30-ss-ts", "csv10", "csv20")
LIBRARY_NAMES = ("cdinterop", "pysdmx", "sdmx1")
RESULT_TAG = "@@RESULT "
DATAFLOW_ID = "DF_BENCH"
WARMUP_ROWS = 100


def _shared() -> ModuleType:
    """``bench_observations`` (its ``structure()`` and ``table(rows)``), importable."""
    try:
        import cdinterop  # noqa: F401
    except ImportError:  # run without PYTHONPATH=src
        sys.path.insert(0, str(HERE.parent / "src"))
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    import bench_observations

    return bench_observations


# -- cdinterop ------------------------------------------------------------------------------


def _cdinterop_build(fmt: str, data: Any) -> Any:
    from cdinterop.model import CitizenDataset, Observations

    return CitizenDataset(
        id=DATAFLOW_ID,
        agency="BENCH",
        title={"en": "Benchmark"},
        structure=_shared().structure(),
        observations=Observations.from_arrow(data),
    )


def _cdinterop_write(dataset: Any, fmt: str, path: Path) -> None:
    from cdinterop.sdmx import FORMATS

    FORMATS[fmt].write(dataset, path)


# -- pysdmx ---------------------------------------------------------------------------------

# format -> (pysdmx.io.format.Format member, dimension at observation or None for flat)
_PYSDMX_FORMATS: dict[str, tuple[str, str | None]] = {
    "ml21-ss": ("DATA_SDMX_ML_2_1_STR", None),
    "ml21-ss-ts": ("DATA_SDMX_ML_2_1_STRTS", "TIME_PERIOD"),
    "ml21-generic": ("DATA_SDMX_ML_2_1_GENTS", "TIME_PERIOD"),
    "ml30-ss": ("DATA_SDMX_ML_3_0", None),
    "ml30-ss-ts": ("DATA_SDMX_ML_3_0", "TIME_PERIOD"),
    "csv10": ("DATA_SDMX_CSV_1_0_0", None),
    "csv20": ("DATA_SDMX_CSV_2_0_0", None),
}


def _pysdmx_schema() -> Any:
    """A pysdmx ``Schema`` with the components (and codelists) of ``structure()``."""
    from pysdmx.model import Code, Codelist, Component, Components, Concept, DataType, Role, Schema

    from cdinterop.model import AttachmentLevel, Usage, ValueType

    s = _shared().structure()

    def codes(codelist_id: str | None) -> Any:
        if codelist_id is None:
            return None
        cl = s.codelist(codelist_id)
        return Codelist(
            id=cl.id, agency=cl.agency, name=cl.id, items=[Code(id=c.id) for c in cl.codes]
        )

    dims = [d.id for d in s.dimensions]
    level = {
        AttachmentLevel.DATASET: "D",
        AttachmentLevel.SERIES: ",".join(dims),
        AttachmentLevel.OBSERVATION: "O",
    }
    numeric = {ValueType.DECIMAL: DataType.DOUBLE, ValueType.INTEGER: DataType.INTEGER}
    comps = [
        Component(
            id=d.id,
            required=True,
            role=Role.DIMENSION,
            concept=Concept(id=d.concept_id),
            local_dtype=DataType.STRING,
            local_codes=codes(d.codelist),
        )
        for d in s.dimensions
    ]
    if s.time_dimension is not None:
        comps.append(
            Component(
                id=s.time_dimension.id,
                required=True,
                role=Role.DIMENSION,
                concept=Concept(id=s.time_dimension.concept_id),
                local_dtype=DataType.PERIOD,
            )
        )
    comps += [
        Component(
            id=m.id,
            required=m.usage is Usage.MANDATORY,
            role=Role.MEASURE,
            concept=Concept(id=m.concept_id),
            local_dtype=numeric.get(m.value_type, DataType.STRING),
        )
        for m in s.measures
    ]
    comps += [
        Component(
            id=a.id,
            required=a.usage is Usage.MANDATORY,
            role=Role.ATTRIBUTE,
            concept=Concept(id=a.concept_id),
            local_dtype=DataType.STRING,
            local_codes=codes(a.codelist),
            attachment_level=level[a.attachment],
        )
        for a in s.attributes
    ]
    return Schema(
        context="datastructure",
        agency=s.agency,
        id=s.id,
        version=s.version,
        components=Components(comps),
    )


def _pysdmx_build(fmt: str, data: Any) -> Any:
    from pysdmx.io.pd import PandasDataset

    return PandasDataset(structure=_pysdmx_schema(), data=data.to_pandas())


def _pysdmx_write(dataset: Any, fmt: str, path: Path) -> None:
    from pysdmx.io import write_sdmx
    from pysdmx.io.format import Format

    member, dim_at_obs = _PYSDMX_FORMATS[fmt]
    kwargs: dict[str, Any] = {}
    if member.startswith("DATA_SDMX_ML"):
        kwargs["prettyprint"] = False
        if dim_at_obs:
            kwargs["dimension_at_observation"] = dim_at_obs
    write_sdmx(dataset, Format[member], output_path=str(path), **kwargs)


# -- sdmx1 ----------------------------------------------------------------------------------


@dataclass
class _Sdmx1Structure:
    """The sdmx1 DSD (and dataflow) of ``structure()``, with its components at hand."""

    dsd: Any
    dataflow: Any
    dimensions: list[Any]
    time: Any
    measure: Any
    series_attributes: list[Any]
    observation_attributes: list[Any]


def _sdmx1_structure() -> _Sdmx1Structure:
    from sdmx.model import common, v21

    from cdinterop.model import AttachmentLevel

    s = _shared().structure()
    ma: dict[str, Any] = {"maintainer": common.Agency(id=s.agency), "version": s.version}
    dsd = v21.DataStructureDefinition(id=s.id, **ma)
    concepts = common.ConceptScheme(id="CS_BENCH", **ma)
    codelists: dict[str, Any] = {}
    for cl in s.codelists:
        codelists[cl.id] = common.Codelist(id=cl.id, **ma)
        for code in cl.codes:
            codelists[cl.id].setdefault(id=code.id, name=code.id)

    def representation(codelist_id: str | None) -> Any:
        if codelist_id is None:
            return None
        return common.Representation(enumerated=codelists[codelist_id])

    dims = [
        dsd.dimensions.getdefault(
            id=d.id,
            concept_identity=concepts.setdefault(id=d.concept_id),
            local_representation=representation(d.codelist),
            order=i + 1,
        )
        for i, d in enumerate(s.dimensions)
    ]
    time_dim = None
    if s.time_dimension is not None:
        time_dim = v21.TimeDimension(
            id=s.time_dimension.id,
            concept_identity=concepts.setdefault(id=s.time_dimension.concept_id),
            order=len(dims) + 1,
        )
        dsd.dimensions.append(time_dim)
    measure = dsd.measures.getdefault(
        id=s.measures[0].id, concept_identity=concepts.setdefault(id=s.measures[0].concept_id)
    )
    series_attrs, obs_attrs = [], []
    for a in s.attributes:
        if a.attachment is AttachmentLevel.SERIES:
            related: Any = v21.DimensionRelationship(dimensions=dims)
        elif a.attachment is AttachmentLevel.OBSERVATION:
            related = v21.PrimaryMeasureRelationship()
        else:
            related = v21.NoSpecifiedRelationship()
        attr = dsd.attributes.getdefault(
            id=a.id,
            concept_identity=concepts.setdefault(id=a.concept_id),
            local_representation=representation(a.codelist),
            related_to=related,
        )
        if a.attachment is AttachmentLevel.SERIES:
            series_attrs.append(attr)
        elif a.attachment is AttachmentLevel.OBSERVATION:
            obs_attrs.append(attr)
    dataflow = v21.DataflowDefinition(id=DATAFLOW_ID, structure=dsd, **ma)
    return _Sdmx1Structure(dsd, dataflow, dims, time_dim, measure, series_attrs, obs_attrs)


def _sdmx1_build(fmt: str, data: Any) -> Any:
    """A DataMessage: flat (every observation with its full key) for ``ml21-ss`` and the
    CSV formats, series (grouped by series key, in order of appearance) otherwise."""
    import sdmx.message
    from sdmx.model import common, v21

    st = _sdmx1_structure()
    columns = data.to_pydict()
    n = data.num_rows
    keys = [*st.dimensions, *([st.time] if st.time is not None else [])]
    values = columns[st.measure.id]

    def attribute_values(components: list[Any], i: int) -> dict[str, Any]:
        return {
            a.id: common.AttributeValue(value=columns[a.id][i], value_for=a)
            for a in components
            if columns[a.id][i] is not None
        }

    def time_value(i: int) -> Any:
        return common.KeyValue(id=st.time.id, value=columns[st.time.id][i], value_for=st.time)

    if fmt in ("ml21-ss-ts", "ml21-generic"):
        ds_class = (
            v21.StructureSpecificTimeSeriesDataSet
            if fmt == "ml21-ss-ts"
            else v21.GenericTimeSeriesDataSet
        )
        series: dict[tuple[str, ...], tuple[Any, list[Any]]] = {}
        for i in range(n):
            k = tuple(columns[d.id][i] for d in st.dimensions)
            entry = series.get(k)
            if entry is None:
                sk = common.SeriesKey(
                    described_by=st.dsd.dimensions,
                    values={
                        d.id: common.KeyValue(id=d.id, value=v, value_for=d)
                        for d, v in zip(st.dimensions, k, strict=True)
                    },
                    attrib=attribute_values(st.series_attributes, i),
                )
                entry = series[k] = (sk, [])
            entry[1].append(
                v21.Observation(
                    series_key=entry[0],
                    dimension=common.Key([time_value(i)]),
                    value=values[i],
                    value_for=st.measure,
                    attached_attribute=attribute_values(st.observation_attributes, i),
                )
            )
        ds = ds_class(structured_by=st.dsd, described_by=st.dataflow)
        for sk, observations in series.values():
            ds.add_obs(observations, sk)
        dim_at_obs: Any = st.time
    else:
        ds = v21.StructureSpecificDataSet(structured_by=st.dsd, described_by=st.dataflow)
        attrs = [*st.series_attributes, *st.observation_attributes]
        ds.add_obs(
            v21.Observation(
                dimension=common.Key(
                    [common.KeyValue(id=d.id, value=columns[d.id][i], value_for=d) for d in keys]
                ),
                value=values[i],
                value_for=st.measure,
                attached_attribute=attribute_values(attrs, i),
            )
            for i in range(n)
        )
        dim_at_obs = common.AllDimensions
    return sdmx.message.DataMessage(
        data=[ds], dataflow=st.dataflow, observation_dimension=dim_at_obs
    )


def _sdmx1_write(message: Any, fmt: str, path: Path) -> None:
    from sdmx.format.csv import v1, v2

    import sdmx

    if fmt.startswith("csv"):
        options = v1.FormatOptions() if fmt == "csv10" else v2.FormatOptions()
        sdmx.to_csv(message.data[0], path=path, format_options=options, attributes="dsgo")
    else:
        path.write_bytes(sdmx.to_xml(message))


# -- libraries ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Library:
    """A writer under test: how to build its input from the table, and how to write."""

    name: str
    distribution: str
    build: Callable[[str, Any], Any]
    write: Callable[[Any, str, Path], None]
    unsupported: dict[str, str]
    """Formats it cannot write, with the reason."""


LIBRARIES = {
    lib.name: lib
    for lib in (
        Library("cdinterop", "cdinterop", _cdinterop_build, _cdinterop_write, {}),
        Library("pysdmx", "pysdmx", _pysdmx_build, _pysdmx_write, {}),
        Library(
            "sdmx1",
            "sdmx1",
            _sdmx1_build,
            _sdmx1_write,
            {
                "ml30-ss": "sdmx.to_xml writes SDMX-ML 2.1 only",
                "ml30-ss-ts": "sdmx.to_xml writes SDMX-ML 2.1 only",
            },
        ),
    )
}


# -- child: one writer, in isolation --------------------------------------------------------


def _status_kb(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _max_rss_kb() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}".rstrip(": ")


def run_child(spec: dict[str, Any]) -> dict[str, Any]:
    """Build the table and the library's input, then time one write and measure memory."""
    lib = LIBRARIES[spec["lib"]]
    fmt, rows, out = spec["fmt"], spec["rows"], Path(spec["out"])
    result: dict[str, Any] = {"lib": lib.name, "fmt": fmt, "rows": rows}
    try:
        # warm-up: a small write first, so lazy imports and one-off set-up are not timed
        lib.write(lib.build(fmt, _shared().table(WARMUP_ROWS)), fmt, out)
        out.unlink()
        data = _shared().table(rows)
        builds, writes, before, peaks = [], [], [], []
        reset = True
        for _ in range(spec["repeat"]):
            gc.collect()
            start = time.perf_counter()
            obj = lib.build(fmt, data)
            builds.append(time.perf_counter() - start)
            gc.collect()
            before.append(_status_kb("VmRSS") or 0)
            reset = _reset_peak() and reset
            start = time.perf_counter()
            lib.write(obj, fmt, out)
            writes.append(time.perf_counter() - start)
            peaks.append(_status_kb("VmHWM") or _max_rss_kb())
            del obj
        best = min(range(len(writes)), key=writes.__getitem__)  # fastest write
        worst = max(range(len(peaks)), key=peaks.__getitem__)  # highest memory
        result.update(
            build_s=builds[best],
            write_s=writes[best],
            rss_before_kb=before[worst],
            peak_kb=peaks[worst],
            increase_kb=peaks[worst] - before[worst],
            peak_reset=reset,
            child_max_kb=max(_max_rss_kb(), *peaks),
            size=out.stat().st_size,
        )
    except Exception as exc:
        result["error"] = _first_line(exc)
    return result


# -- parent ---------------------------------------------------------------------------------


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        if distribution == "cdinterop":
            _shared()
            import cdinterop

            return str(getattr(cdinterop, "__version__", "?")) + " (source tree)"
        return "not installed"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def machine_info() -> list[str]:
    """Lines describing the interpreter, the libraries and the machine."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    lines = [
        f"python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.release()} {platform.machine()}",
        f"CPU: {_cpu_model()}, {os.cpu_count()} logical CPUs ({usable} usable)",
    ]
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        lines.append(f"memory: {pages / 2**30:.1f} GiB")
    except (ValueError, OSError, AttributeError):
        pass
    versions = [(d, _version(d)) for d in ("cdinterop", "pysdmx", "sdmx1")]
    versions += [(d, _version(d)) for d in ("pyarrow", "pandas", "numpy", "lxml")]
    lines.append("versions: " + ", ".join(f"{d} {v}" for d, v in versions))
    return lines


def _run_in_child(spec: dict[str, Any], timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {**spec, "error": f"timed out after {timeout:.0f} s"}
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_TAG):
            return json.loads(line[len(RESULT_TAG) :])
    tail = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
    return {**spec, "error": f"child failed (exit {proc.returncode}): {tail}"}


def _mb(kb: float) -> str:
    return f"{kb / 1024:,.0f}"


def _rate(r: dict[str, Any], *, with_build: bool = False) -> float:
    seconds = r["write_s"] + (r["build_s"] if with_build else 0.0)
    return r["rows"] / seconds if seconds > 0 else float("inf")


def print_table(results: list[dict[str, Any]], rows: int) -> None:
    """The results table: one line per (format, library) pair that ran."""
    head = (
        f"{'format':<13}{'library':<11}{'rows':>11} {'build s':>8}{'write s':>9}"
        f"{'obs/s':>12}{'RSS before':>11}{'peak RSS':>9}{'+write':>8}{'child max':>10}"
        f"{'out MB':>8}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        if "error" in r:
            continue
        sample = "*" if r["rows"] < rows else " "
        peak = _mb(r["peak_kb"]) + ("" if r["peak_reset"] else "~")
        print(
            f"{r['fmt']:<13}{r['lib']:<11}{r['rows']:>10,}{sample} {r['build_s']:>8.2f}"
            f"{r['write_s']:>9.2f}{_rate(r):>12,.0f}{_mb(r['rss_before_kb']):>11}{peak:>9}"
            f"{_mb(r['increase_kb']):>8}{_mb(r['child_max_kb']):>10}"
            f"{r['size'] / 2**20:>8.1f}"
        )
    print(
        "build s: Arrow table to the library's input (cdinterop: CitizenDataset, validation"
        " included;\npysdmx: DataFrame + PandasDataset; sdmx1: DSD + DataSet of Observation"
        " objects). obs/s: rows / write s.\nRSS columns in MB. RSS before: after the build;"
        " peak RSS: highest RSS during the write; +write: peak\nminus RSS before; child max:"
        " the child's peak over its whole life (table and build included).\nWith --repeat:"
        " the fastest write's times; the memory of the repeat with the highest peak."
    )
    if any(r["rows"] < rows for r in results if "error" not in r):
        print(f"* sample of the first rows of the same table; rate extrapolated to {rows:,} rows")
    if any(not r.get("peak_reset", True) for r in results if "error" not in r):
        print("~ peak mark could not be reset: peak over the whole child process")


def print_ratios(results: list[dict[str, Any]], formats: list[str]) -> None:
    """cdinterop's rate over each reference library's, per format."""
    by = {(r["fmt"], r["lib"]): r for r in results if "error" not in r}
    refs = [lib for lib in LIBRARY_NAMES[1:] if any(lib == k[1] for k in by)]
    lines = []
    for fmt in formats:
        ours = by.get((fmt, "cdinterop"))
        if ours is None or not any((fmt, ref) in by for ref in refs):
            continue
        cells = []
        for ref in refs:
            theirs = by.get((fmt, ref))
            if theirs is None:
                cells.append(f"{'-':>11}{'-':>13}")
            else:
                write = _rate(ours) / _rate(theirs)
                both = _rate(ours, with_build=True) / _rate(theirs, with_build=True)
                cells.append(f"{write:>10,.1f}x{both:>12,.1f}x")
        lines.append(f"{fmt:<13}" + "".join(cells))
    if not lines:
        return
    print()
    print("cdinterop obs/s divided by the reference library's (write only; build + write):")
    print(f"{'format':<13}" + "".join(f"{'vs ' + ref:>11}{'(+build)':>13}" for ref in refs))
    for line in lines:
        print(line)


def print_notes(results: list[dict[str, Any]], rows: int, skipped: list[str]) -> None:
    """Extrapolations, unsupported formats and failures."""
    notes = []
    for r in results:
        if "error" in r:
            notes.append(f"{r['lib']} failed on {r['fmt']} ({r['rows']:,} rows): {r['error']}")
        elif r["rows"] < rows:
            notes.append(
                f"{r['lib']} {r['fmt']}: sample of {r['rows']:,} rows; at its rate "
                f"{rows:,} rows would take ~{rows / _rate(r):,.1f} s to write "
                f"(~{rows / _rate(r, with_build=True):,.1f} s with the build)"
            )
    notes += skipped
    if notes:
        print()
        print("Notes:")
        for note in notes:
            print(f"  {note}")


def main() -> None:
    """Parse arguments; run each writer in a child; print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="observations")
    parser.add_argument(
        "--only", help=f"comma-separated formats (default all: {','.join(FORMAT_NAMES)})"
    )
    parser.add_argument(
        "--libs", help=f"comma-separated libraries (default all: {','.join(LIBRARY_NAMES)})"
    )
    parser.add_argument("--repeat", type=int, default=1, help="writes per pair; best kept")
    parser.add_argument(
        "--ref-sample", type=int, default=100_000, help="rows written by sdmx1 (a sample)"
    )
    parser.add_argument(
        "--pysdmx-sample", type=int, default=0, help="rows written by pysdmx (0: all rows)"
    )
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per child")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        print(RESULT_TAG + json.dumps(run_child(json.loads(args.child))), flush=True)
        return

    formats = args.only.split(",") if args.only else list(FORMAT_NAMES)
    libs = args.libs.split(",") if args.libs else list(LIBRARY_NAMES)
    for name, known in (("format", FORMAT_NAMES), ("library", LIBRARY_NAMES)):
        chosen = formats if name == "format" else libs
        unknown = [c for c in chosen if c not in known]
        if unknown:
            parser.error(f"unknown {name}(s) {unknown}; choose from {', '.join(known)}")
    sample = {
        "cdinterop": args.rows,
        "pysdmx": min(args.pysdmx_sample or args.rows, args.rows),
        "sdmx1": min(args.ref_sample, args.rows),
    }

    print("SDMX data writing benchmark")
    for line in machine_info():
        print(f"  {line}")
    print(f"  {args.rows:,} observations; repeat {args.repeat}; each writer in a fresh process")
    print()

    results: list[dict[str, Any]] = []
    skipped: list[str] = []
    tmp = Path(tempfile.mkdtemp(prefix="bench_sdmx_write_"))
    try:
        for fmt in formats:
            for lib in libs:
                reason = LIBRARIES[lib].unsupported.get(fmt)
                if reason:
                    skipped.append(f"{lib} skipped on {fmt}: {reason}")
                    print(f"{fmt:<13}{lib:<11}skipped: {reason}", flush=True)
                    continue
                out = tmp / f"{lib}-{fmt}{'.csv' if fmt.startswith('csv') else '.xml'}"
                spec = {"lib": lib, "fmt": fmt, "rows": sample[lib], "out": str(out)}
                r = _run_in_child({**spec, "repeat": args.repeat}, args.timeout)
                results.append(r)
                if "error" in r:
                    print(f"{fmt:<13}{lib:<11}FAILED: {r['error']}", flush=True)
                else:
                    print(
                        f"{fmt:<13}{lib:<11}{r['rows']:>10,} rows  build {r['build_s']:.2f} s"
                        f"  write {r['write_s']:.2f} s  {_rate(r):,.0f} obs/s",
                        flush=True,
                    )
                out.unlink(missing_ok=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print()
    print_table(results, args.rows)
    print_ratios(results, formats)
    print_notes(results, args.rows, skipped)


if __name__ == "__main__":
    main()

"""SHACL validation of a large N-Triples catalogue in parts, validated in parallel.

A catalogue of 10,000 data sets is 3.4 million triples: one rudof run over it takes
minutes and about 18 GB (rudof holds about 5 KB per triple while validating). The
catalogue is split instead:

1. the text is indexed by subject, and by object for blank nodes and for the predicates
   the shapes read backwards; a triple whose predicate is no IRI of the shapes (nor
   ``rdf:type``, ``rdfs:subClassOf``) and whose object is no blank node is dropped: no
   SHACL Core constraint reads it (``sh:closed`` never comes here);
2. every subject is *owned* by one part: IRIs in the order of the file, about
   `PART_TRIPLES` triples a part; a blank node goes with the smallest IRI pointing to it
   (through the one blank node pointing to it, if no IRI does);
3. a part holds its subjects' triples and, breadth first, those of every node reachable
   from them as deep as the shapes read past the predicate that reached it (`plan()`: a
   value whose class is checked gives its ``rdf:type`` triples, a value that must conform
   to a node shape as much as that shape reads), the triples pointing to its blank nodes
   (they name them), the incoming triples the inverse paths read, and every
   ``rdfs:subClassOf`` triple;
4. each part is validated by rudof in a process pool, keeping the results of the focus
   nodes it owns: their neighbourhood is complete, so their results are the whole
   catalogue's.

A part with a literal that rudof validates wrongly (`literal_blind_predicates()`) is
validated by pySHACL instead. Shapes the parts cannot bound (a shape that refers to
itself, ``sh:zeroOrMorePath``) and catalogues whose parts cannot be told apart (a blank
node that no IRI points to, an escaped IRI) are validated in one piece. Only SHACL Core
with ``sh:targetClass`` targets reaches this module (`unsupported()`): a focus node is
always a subject, owned by exactly one part.
"""

from __future__ import annotations

import functools
import io
import os
import re
from array import array
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from cdinterop.dcat._shacl_rudof import Owned, Referrers, RudofShapes
from cdinterop.errors import Issue

__all__ = ["PART_TRIPLES", "Plan", "plan", "read_text", "validate_in_parts"]

SH = Namespace("http://www.w3.org/ns/shacl#")
_SUBCLASS = f"<{RDFS.subClassOf}>"
_TYPE = f"<{RDF.type}>"
_LINKS = (SH.node, SH["not"], SH.qualifiedValueShape, SH.property)
_LISTS = (SH["and"], SH["or"], SH.xone)


class Unbounded(Exception):
    """The shapes can look arbitrarily deep (recursion, ``*`` and ``+`` paths)."""


@dataclass
class _Depths:
    """How deep validating against each shape reads, and how deep past each predicate."""

    shapes: Graph
    after: dict[str, int] = field(default_factory=dict)
    """Nodes deep still read past a predicate (followed forwards), by N-Triples IRI."""
    after_inverse: dict[str, int] = field(default_factory=dict)
    """The same for predicates followed backwards (``sh:inversePath``)."""
    typed: set[str] = field(default_factory=set)
    """Predicates (``^<...>`` backwards) whose values have their class checked: their
    ``rdf:type`` is read, whatever else is."""
    known: dict[Node, int] = field(default_factory=dict)
    open: set[Node] = field(default_factory=set)

    def linked(self, shape: Node) -> list[Node]:
        found = [o for link in _LINKS for o in self.shapes.objects(shape, link)]
        for link in _LISTS:
            for head in self.shapes.objects(shape, link):
                found.extend(Collection(self.shapes, head))
        return found

    def of(self, shape: Node) -> int:
        """Nodes deep (1: the focus node's own triples) that validating against ``shape``
        reads."""
        if shape in self.known:
            return self.known[shape]
        if shape in self.open:
            raise Unbounded
        self.open.add(shape)
        path = self.shapes.value(shape, SH.path)
        inner = max((self.of(s) for s in self.linked(shape)), default=0)
        if path is None:
            result = max(1, inner)
        else:
            has_class = (shape, SH["class"], None) in self.shapes
            result = self.walk(path, inner, typed=has_class) + max(inner, int(has_class))
        self.open.discard(shape)
        self.known[shape] = result
        return result

    def walk(self, path: Node, after: int, *, typed: bool = False, nesting: int = 0) -> int:
        """Steps of ``path`` (an alternative counts its longest branch), noting for each
        predicate how deep the validation reads past it (``after`` past the path's end),
        and, when ``typed``, the predicates that end the path."""
        if isinstance(path, URIRef):
            self._note(self.after, f"<{path}>", after, typed)
            return 1
        if nesting > 20:
            raise Unbounded
        if self.shapes.value(path, RDF.first) is not None:
            steps = list(Collection(self.shapes, path))
            total = after
            for number, step in enumerate(reversed(steps)):
                last = typed and number == 0
                total += self.walk(step, total, typed=last, nesting=nesting + 1)
            return total - after
        heads = list(self.shapes.objects(path, SH.alternativePath))
        if heads:
            branches = Collection(self.shapes, heads[0])
            return max(
                (self.walk(p, after, typed=typed, nesting=nesting + 1) for p in branches),
                default=0,
            )
        backwards = self.shapes.value(path, SH.inversePath)
        if isinstance(backwards, URIRef):
            self._note(self.after_inverse, f"<{backwards}>", after, typed)
            return 1
        zero_or_one = self.shapes.value(path, SH.zeroOrOnePath)
        if zero_or_one is not None:
            return self.walk(zero_or_one, after, typed=typed, nesting=nesting + 1)
        raise Unbounded

    def _note(self, depths: dict[str, int], key: str, after: int, typed: bool) -> None:
        depths[key] = max(depths.get(key, 0), after)
        if typed:
            self.typed.add(key if depths is self.after else f"^{key}")


@dataclass(frozen=True)
class Plan:
    """How deep the parts of a catalogue reach for some shapes."""

    depth: int
    """Nodes deep read from a focus node (1: its own triples)."""
    after: dict[str, int]
    """Nodes deep still read past a predicate followed forwards (absent: 0)."""
    after_inverse: dict[str, int]
    """The same for the predicates followed backwards (``sh:inversePath``)."""
    typed: frozenset[str]
    """Predicates whose values' ``rdf:type`` is read (``^<...>``: followed backwards)."""
    blind: frozenset[str]
    """`literal_blind_predicates()`, as N-Triples IRIs."""
    predicates: frozenset[str]
    """Every IRI of the shapes, ``rdf:type`` and ``rdfs:subClassOf``, as N-Triples IRIs: a
    triple with another predicate is read by no shape (``sh:closed`` aside, never here)."""

    @functools.cached_property
    def inverse(self) -> frozenset[str]:
        """The predicates followed backwards."""
        return frozenset(self.after_inverse)


def plan(shapes: Graph) -> Plan | None:
    """The plan for ``shapes``, or ``None`` when they must be validated in one piece."""
    from cdinterop.dcat._shacl_rudof import literal_blind_predicates

    depths = _Depths(shapes)
    candidates = set(shapes.subjects(SH.targetClass, None)) | set(shapes.subjects(SH.path, None))
    try:
        reach = max((depths.of(shape) for shape in candidates), default=1)
    except Unbounded:
        return None
    blind = frozenset(f"<{p}>" for p in literal_blind_predicates(shapes))
    predicates = {f"<{t}>" for triple in shapes for t in triple if isinstance(t, URIRef)}
    predicates |= {_TYPE, _SUBCLASS}
    return Plan(
        reach,
        depths.after,
        depths.after_inverse,
        frozenset(depths.typed),
        blind,
        frozenset(predicates),
    )


@dataclass
class _Index:
    """The triples of a catalogue (its N-Triples text, line by line) indexed by subject,
    and by object for the inverse predicates and the blank nodes."""

    text: str
    starts: array[int] = field(default_factory=lambda: array("q"))
    """Where each line starts in ``text``."""
    ends: array[int] = field(default_factory=lambda: array("q"))
    """Where each line ends (before its line break)."""
    subjects: list[str] = field(default_factory=list)
    outgoing: dict[str, list[int]] = field(default_factory=dict)
    incoming: dict[str, list[int]] = field(default_factory=dict)
    """Lines by object, for the predicates read backwards."""
    pointing: dict[str, list[int]] = field(default_factory=dict)
    """Lines by object, for blank node objects."""
    subclass: list[int] = field(default_factory=list)
    blind: set[int] = field(default_factory=set)
    divisible: bool = True

    def line(self, number: int) -> str:
        """Line ``number``, without its line break."""
        return self.text[self.starts[number] : self.ends[number]]

    def terms(self, number: int) -> tuple[str, str, str]:
        """Subject, predicate and object node (``""`` for a literal) of line ``number``."""
        match = _TRIPLE.match(self.text, self.starts[number], self.ends[number])
        parts = match.groups() if match else _split(self.line(number))
        if parts is None:
            return "", "", ""
        subject, predicate, obj = parts
        return subject, predicate, obj if obj[:1] == "<" or obj[:2] == "_:" else ""


_TRIPLE = re.compile(r"^(\S+) (\S+) (.*\S) \.$", re.MULTILINE)
"""A line of N-Triples as rdflib and cdinterop write it (one space between terms)."""


def _split(line: str) -> tuple[str, str, str] | None:
    """Subject, predicate and object of an N-Triples line (``None``: no triple)."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    subject, predicate, rest = text.split(None, 2)
    return subject, predicate, rest.rstrip().removesuffix(".").rstrip()


class _Irregular(Exception):
    """A line of the text is not in the usual form: read it line by line."""


def _usual_triples(text: str) -> Iterator[tuple[int, int, str, str, str]]:
    """Start, end, subject, predicate and object of each line, by a regular expression;
    raises `_Irregular` (at the end) when some line was not matched."""
    covered = 0
    for match in _TRIPLE.finditer(text):
        covered += match.end() - match.start() + 1
        subject, predicate, obj = match.groups()
        yield match.start(), match.end(), subject, predicate, obj
    if covered < len(text) or "\r" in text:
        raise _Irregular


def _any_triples(text: str) -> Iterator[tuple[int, int, str, str, str]]:
    """The same as `_usual_triples()`, line by line (blank lines, comments, tabs)."""
    offset = 0
    for line in io.StringIO(text, newline=""):
        parts = _split(line)
        if parts is not None:
            yield offset, offset + len(line.rstrip("\r\n")), *parts
        offset += len(line)


def _index(text: str, the_plan: Plan) -> _Index:
    try:
        return _index_of(text, the_plan, _usual_triples(text))
    except _Irregular:
        return _index_of(text, the_plan, _any_triples(text))


def _index_of(
    text: str, the_plan: Plan, triples: Iterator[tuple[int, int, str, str, str]]
) -> _Index:
    index = _Index(text)
    outgoing = index.outgoing
    relevant = the_plan.predicates
    number = 0
    for start, end, subject, predicate, obj in triples:
        if "\\" in subject or "\\" in predicate:
            index.divisible = False
        if predicate not in relevant and obj[:2] != "_:":
            continue  # no shape reads it, and it names no blank node
        index.starts.append(start)
        index.ends.append(end)
        found = outgoing.get(subject)
        if found is None:
            outgoing[subject] = [number]
        else:
            found.append(number)
        _index_object(index, number, predicate, obj, the_plan)
        number += 1
    index.subjects = list(outgoing)
    return index


def _index_object(index: _Index, number: int, predicate: str, obj: str, the_plan: Plan) -> None:
    node = obj if obj[:1] == "<" or obj[:2] == "_:" else ""
    if node[:2] == "_:":
        index.pointing.setdefault(node, []).append(number)
    if node and predicate in the_plan.inverse:
        index.incoming.setdefault(node, []).append(number)
    if predicate == _SUBCLASS:
        index.subclass.append(number)
    elif not node and predicate in the_plan.blind:
        index.blind.add(number)


def _owners(index: _Index, parts: int) -> dict[str, int] | None:
    """The part owning each subject, or ``None`` when a blank node's owner is unclear."""
    iris = [s for s in index.subjects if s[:1] == "<"]
    size = max(1, -(-sum(len(index.outgoing[s]) for s in iris) // parts))
    owners: dict[str, int] = {}
    part, filled = 0, 0
    for subject in iris:
        owners[subject] = part
        filled += len(index.outgoing[subject])
        if filled >= size:
            part, filled = part + 1, 0
    for subject in index.subjects:
        if subject[:1] != "<":
            owner = _blank_owner(index, owners, subject)
            if owner is None:
                return None
            owners[subject] = owner
    return owners


def _blank_owner(index: _Index, owners: dict[str, int], node: str) -> int | None:
    """A blank node belongs with the smallest IRI pointing to it; with no IRI, with the
    one blank node pointing to it; else (none, or several) nowhere."""
    for _step in range(100):
        referrers = {index.terms(n)[0] for n in index.pointing.get(node, [])}
        iris = [r for r in referrers if r[:1] == "<"]
        if iris:
            return owners.get(min(iris))
        if len(referrers) != 1:
            return None
        node = referrers.pop()
        if node in owners:
            return owners[node]
    return None


def _part_lines(index: _Index, seeds: list[str], the_plan: Plan) -> list[int]:
    """The lines of one part: the seeds' neighbourhood, each node followed only as deep as
    the shapes read past the predicate that reached it (a node whose class is checked
    gives its ``rdf:type`` triples)."""
    chosen: set[int] = set(index.subclass)
    typed: set[str] = set()
    budget: dict[str, int] = dict.fromkeys(seeds, the_plan.depth)
    buckets: list[list[str]] = [[] for _ in range(the_plan.depth + 1)]
    buckets[the_plan.depth] = list(seeds)
    for level in range(the_plan.depth, 0, -1):
        for node in buckets[level]:
            if budget[node] != level:
                continue  # reached again with more to read
            for target, left in _steps(index, node, level, the_plan, chosen, typed):
                if left > budget.get(target, 0):
                    budget[target] = left
                    buckets[left].append(target)
    for node in typed - set(budget):
        chosen.update(n for n in index.outgoing.get(node, []) if index.terms(n)[1] == _TYPE)
    _point_to_blanks(index, set(budget) | typed, chosen)
    return sorted(chosen)


def _steps(
    index: _Index, node: str, level: int, the_plan: Plan, chosen: set[int], typed: set[str]
) -> Iterator[tuple[str, int]]:
    """Add ``node``'s own triples (and those the inverse paths read) to ``chosen``; yield
    the nodes they lead to, with how deep to read past them; note in ``typed`` the nodes
    whose class is checked."""
    for number in index.outgoing.get(node, []):
        chosen.add(number)
        _subject, predicate, target = index.terms(number)
        if target:
            if predicate in the_plan.typed:
                typed.add(target)
            yield target, min(level - 1, the_plan.after.get(predicate, 0))
    for number in index.incoming.get(node, []):
        chosen.add(number)
        subject, predicate, _object = index.terms(number)
        if f"^{predicate}" in the_plan.typed:
            typed.add(subject)
        yield subject, min(level - 1, the_plan.after_inverse.get(predicate, 0))


def _point_to_blanks(index: _Index, seen: set[str], chosen: set[int]) -> None:
    """Add the triples pointing to the blank nodes of a part, up to an IRI: they name
    the blank nodes and say which part owns them."""
    climbed: set[str] = set()
    stack = [node for node in seen if node[:2] == "_:"]
    while stack:
        node = stack.pop()
        if node in climbed:
            continue
        climbed.add(node)
        for number in index.pointing.get(node, []):
            chosen.add(number)
            source = index.terms(number)[0]
            if source[:2] == "_:" and source not in climbed:
                stack.append(source)


@dataclass(frozen=True)
class _Job:
    """One part to validate: the subjects it owns and, unless the worker builds it from
    the index it shares (``fork``), its N-Triples and whether rudof can take it."""

    part: int
    owned: frozenset[str]
    text: str = ""
    blind: bool = False


# The shapes of the running validation in a worker (set once by `_start()`).
_STATE: dict[str, Any] = {}


class _SameLabels(dict[str, str]):
    """A ``bnode_context`` for rdflib's N-Triples parser that keeps blank node labels."""

    def get(self, key: str, default: Any = None) -> str:
        return key


def _start(shapes_text: str, prepared: RudofShapes, source: str) -> None:
    """Set up a worker (or this process): parse the shapes once, with the labels of their
    blank nodes (``prepared`` names blank node shapes by them)."""
    shapes = Graph().parse(data=shapes_text, format="nt", bnode_context=_SameLabels())
    _STATE.update(shapes=shapes, prepared=prepared, source=source)


def _owned_check(owned: frozenset[str]) -> Owned:
    """Whether a focus node is one of ``owned`` (N-Triples terms), a blank node by the
    rule of `_blank_owner()`, followed through rudof's own labels."""

    def check(focus: Node, label: str | None, referrers: Referrers) -> bool:
        if isinstance(focus, URIRef):
            return f"<{focus}>" in owned
        current = label
        for _step in range(100):
            if current is None:
                return False
            pairs = referrers(current)
            iris = sorted({f"<{s}>" for s, _p in pairs if isinstance(s, URIRef)})
            if iris:
                return iris[0] in owned
            blanks = {s for s, _p in pairs if isinstance(s, BNode)}
            current = f"_:{blanks.pop()}" if len(blanks) == 1 else None
        return False

    return check


def _run_part(job: _Job) -> list[Issue]:
    """Validate one part (in a worker process, or here)."""
    from cdinterop.dcat._shacl_rudof import rudof_issues

    if not job.text:  # a forked worker: build the part from the shared index
        job = _built(_SHARED["index"], _SHARED["plan"], job.part, list(job.owned))
    check = _owned_check(job.owned)
    if job.blind:
        return _pyshacl_part(job.text, check)
    issues = rudof_issues(
        job.text,
        _STATE["shapes"],
        names_graph=Graph(),
        source=f"{_STATE['source']} (part {job.part + 1})",
        prepared=_STATE["prepared"],
        owned=check,
    )
    return list(issues)


def _pyshacl_part(text: str, check: Owned) -> list[Issue]:
    """Validate one part with pySHACL, keeping the results of the nodes it owns."""
    from cdinterop.dcat._shacl import SH as SHACL
    from cdinterop.dcat._shacl import issue_from_result, pyshacl_report

    data = Graph().parse(data=text, format="nt")
    shapes: Graph = _STATE["shapes"]
    report = pyshacl_report(data, shapes)
    issues = []
    labels = {f"_:{node}": node for node in data.all_nodes() if isinstance(node, BNode)}

    def referrers(label: str) -> list[tuple[Node, Node]]:
        return list(data.subject_predicates(labels[label])) if label in labels else []

    for result in report.objects(None, SHACL.result):
        focus = report.value(result, SHACL.focusNode)
        label = f"_:{focus}" if isinstance(focus, BNode) else None
        if focus is None or check(focus, label, referrers):
            issues.append(issue_from_result(report, result, data=data, shapes=shapes))
    return issues


# The index of the running validation, for workers forked from this process.
_SHARED: dict[str, Any] = {}


def _built(index: _Index, the_plan: Plan, part: int, seeds: list[str]) -> _Job:
    numbers = _part_lines(index, seeds, the_plan)
    text = "\n".join(index.line(n) for n in numbers) + "\n"
    blind = any(n in index.blind for n in numbers)
    return _Job(part, frozenset(seeds), text, blind)


def _jobs(index: _Index, owners: dict[str, int], the_plan: Plan, *, build: bool) -> Iterator[_Job]:
    """The parts, each built when the pool asks for it (a part's text is large), or left
    for the forked workers to build."""
    seeds: dict[int, list[str]] = {}
    for subject, part in owners.items():
        seeds.setdefault(part, []).append(subject)
    for part in sorted(seeds):
        if build:
            yield _built(index, the_plan, part, seeds[part])
        else:
            yield _Job(part, frozenset(seeds[part]))


def _start_method() -> str:
    """``fork`` while rudof has not run in this process (quick, and the calling script
    needs no ``if __name__ == "__main__"`` guard); after that ``forkserver`` (or
    ``spawn``): forking a process in which rudof's threads ran can deadlock."""
    import multiprocessing

    from cdinterop.dcat._shacl_rudof import rudof_has_run

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and not rudof_has_run():
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _map(
    jobs: Iterator[_Job], workers: int, method: str, setup: tuple[Any, ...]
) -> Iterator[list[Issue]]:
    """Run the jobs in a pool of ``workers`` processes started by ``method``, else here."""
    import multiprocessing

    if workers <= 1:
        _start(*setup)
        try:
            yield from map(_run_part, jobs)
        finally:
            _STATE.clear()
        return
    context = multiprocessing.get_context(method)
    with context.Pool(workers, initializer=_start, initargs=setup, maxtasksperchild=8) as pool:
        pending: deque[Any] = deque()
        for job in jobs:  # built one at a time: a part's text is large
            pending.append(pool.apply_async(_run_part, (job,)))
            if len(pending) > workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


PART_TRIPLES = 150_000
"""Triples per part: rudof holds about 5 KB per triple while it validates, so a part
takes about 1 GB in its worker."""


def validate_in_parts(
    text: str,
    shapes: Graph,
    *,
    source: str,
    workers: int | None = None,
    part_triples: int = PART_TRIPLES,
) -> set[Issue] | None:
    """Validate the N-Triples ``text`` against ``shapes`` in parts, in parallel (``workers``
    processes, default one per CPU); ``None`` when they cannot be split (validate them in
    one piece)."""
    from cdinterop.dcat._shacl_rudof import rudof_shapes

    the_plan = plan(shapes)
    if the_plan is None:
        return None
    index = _index(text, the_plan)
    parts = max(1, -(-len(index.starts) // part_triples))
    owners = _owners(index, parts) if index.divisible else None
    if owners is None:
        return None
    shapes_text = shapes.serialize(format="nt", encoding="utf-8").decode("utf-8")
    setup = (shapes_text, rudof_shapes(shapes), source)
    count = min(parts, workers or os.cpu_count() or 1)
    method = _start_method()
    forked = count > 1 and method == "fork"
    _SHARED.update(index=index, plan=the_plan)
    try:
        issues: set[Issue] = set()
        jobs = _jobs(index, owners, the_plan, build=not forked)
        for found in _map(jobs, count, method, setup):
            issues.update(found)
        return issues
    finally:
        _SHARED.clear()


def read_text(data: Path | str) -> str:
    """N-Triples ``data`` (a file, or the text) as text."""
    return data.read_text(encoding="utf-8") if isinstance(data, Path) else data

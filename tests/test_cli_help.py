"""Every command's help reads cleanly and its example runs.

The examples are the indented lines after ``Example:`` / ``Examples:`` in each command's
help. They are run in one sandbox, in an order where each finds the files an earlier one
wrote (``convert`` writes ``out/services``, ``sdmx write`` writes ``out/sdmx``, ...), so a
renamed option or a moved output fails here instead of in a user's terminal.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from cdinterop._cli import app

REPO = Path(__file__).resolve().parents[1]
STANDARDS = REPO.parent / "shared" / "standards"
# files an example names that live in the shared standards folder, not in the repository
STANDARD_FILES = {
    "IAEG-SDGs_SDG_1.0_structure.xml": STANDARDS / "sdmx" / "IAEG-SDGs_SDG_1.0_structure.xml",
    "dcat-ap-SHACL.ttl": STANDARDS / "dcat-ap-3.0.1" / "dcat-ap-SHACL.ttl",
}
# the order in which the examples can run: producers before consumers
ORDER = [
    "init",
    "convert",
    "serve",
    "report",
    "audit",
    "ingest",
    "sdmx write",
    "sdmx read",
    "sdmx conform",
    "datapackage write",
    "datapackage read",
    "dcat write",
    "dcat read",
    "dcat catalog",
    "catalog add",
    "catalog list",
    "catalog query",
    "catalog export",
    "validate",
    "schema export",
]

runner = CliRunner()


def _is_group(command: Any) -> bool:
    return hasattr(command, "commands")


def _commands(group: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every command and group under ``group`` (Typer's click objects), by their words."""
    for name, command in sorted(group.commands.items()):
        path = f"{prefix}{name}"
        yield path, command
        if _is_group(command):
            yield from _commands(command, f"{path} ")


COMMANDS = dict(_commands(typer.main.get_command(app)))
LEAVES = [name for name, command in COMMANDS.items() if not _is_group(command)]


def _help(words: list[str]) -> str:
    result = runner.invoke(app, [*words, "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    return result.output


def test_every_command_is_in_the_example_order() -> None:
    assert sorted(LEAVES) == sorted(ORDER)


@pytest.mark.parametrize("name", ["", *COMMANDS])
def test_help_reads_cleanly(name: str) -> None:
    text = _help(name.split())
    for artefact in ("[bold]", "[/]", "``", "][", ":func:", ":class:"):
        assert artefact not in text, f"markup {artefact!r} shows in `cdinterop {name} --help`"
    if name in LEAVES:
        assert re.search(r"Examples?:", text), f"`cdinterop {name} --help` has no example"


def _examples(name: str) -> list[list[str]]:
    """The example command lines of a command's help, as argument lists."""
    command = COMMANDS[name]
    doc = command.help or ""
    block = re.split(r"Examples?:\n", doc, maxsplit=1)[1]
    commands: list[list[str]] = []
    pending = ""
    for line in block.splitlines():
        pending += " " + line.strip()
        if pending.endswith("\\"):  # continued on the next line
            pending = pending[:-1]
            continue
        if pending.strip():
            commands.append(shlex.split(pending))
        pending = ""
    return commands


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("examples")
    for folder in ("examples", "mappings"):
        (root / folder).symlink_to(REPO / folder)
    for name, path in STANDARD_FILES.items():
        if path.exists():
            (root / name).symlink_to(path)
    return root


def _expand(argument: str, root: Path) -> list[str]:
    if any(char in argument for char in "*?["):
        matches = sorted(str(p.relative_to(root)) for p in root.glob(argument))
        assert matches, f"{argument} matches nothing"
        return matches
    return [argument]


def _run_example(name: str, sandbox: Path) -> list[str]:
    """Run the examples of command ``name`` in ``sandbox``; return what went wrong (a
    ``skip:`` line when a file from ../shared/standards is absent)."""
    env: dict[str, str] = {}
    problems: list[str] = []
    for words in _examples(name):
        if words[0] == "export":
            variable, _, value = words[1].partition("=")
            env[variable] = value
            continue
        if words[0] != "cdinterop":
            problems.append(f"not a cdinterop command: {words}")
            continue
        needed = [w for w in words if w in STANDARD_FILES and not (sandbox / w).exists()]
        if needed:
            return [f"skip: needs {needed[0]} from ../shared/standards, which is absent"]
        arguments = [a for word in words[1:] for a in _expand(word, sandbox)]
        with pytest.MonkeyPatch.context() as patch:
            for variable, value in env.items():
                patch.setenv(variable, value)
            result = runner.invoke(app, arguments, env={**os.environ, **env})
        if result.exit_code != 0:
            problems.append(f"`{shlex.join(words)}` failed:\n{result.output}")
        elif "-o" in arguments:
            target = sandbox / arguments[arguments.index("-o") + 1]
            if not target.exists():
                problems.append(f"`{shlex.join(words)}` wrote no {target.name}")
    return problems


@pytest.fixture(scope="session")
def example_outcomes(sandbox: Path) -> dict[str, list[str]]:
    """Every command's examples, run once per test process in ORDER in one sandbox (each
    finds what an earlier one wrote), whichever worker runs which test."""
    with contextlib.chdir(sandbox):
        return {name: _run_example(name, sandbox) for name in ORDER}


@pytest.mark.parametrize("name", ORDER)
def test_example_runs(name: str, example_outcomes: dict[str, list[str]]) -> None:
    problems = example_outcomes[name]
    if problems and problems[0].startswith("skip: "):
        pytest.skip(problems[0].removeprefix("skip: "))
    assert not problems, "\n".join(problems)

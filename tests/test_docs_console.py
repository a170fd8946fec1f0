"""Every shell example of the documentation runs, so that none can rot.

The shell blocks of docs/*.md, README.md and mappings/README.md are read as a reader
would type them, page by page, in page order:

- a ```console block: the commands are the lines starting with ``$ ``; other lines are
  shown output. A ```bash (or ```sh / ```shell) block: every line is a command.
- A line ending with ``\\`` continues on the next line; ``#`` starts a comment; commands may
  be chained with ``&&`` (no other shell syntax: pipes, redirections, ``;``).
- ``export NAME=value`` sets NAME for the later commands of the page; ``NAME=value cmd``
  for that command only. No ``CDINTEROP_*`` variable of the test environment is inherited.
- Globs (``examples/*/dataset.json``) are expanded as a shell would (quoting is not
  tracked: a quoted glob is expanded too).
- ``cdinterop ...`` runs in process (Typer's CliRunner) in a fresh folder holding copies of
  the repository's examples/, mappings/ and schemas/. It must exit 0 (``validate`` too: the
  documented files are valid), and every file or folder it names with ``-o``/``--output``
  must exist afterwards.
- Files of the shared standards folder (:data:`SHARED_FILES`) may be named by their file
  name alone, as the docs do; when one is missing, the page is skipped from the first
  command that needs it (the commands before it have run).
- Any other command must match :data:`SETUP_COMMANDS` (installs, the test suite, lint,
  benchmarks, ``ls``): it is not run (``ls``: the paths listed must exist, a benchmark
  script must exist). A new kind of command fails here until someone decides.
- **Convention for a block that is not a runnable example** (a synopsis with placeholder
  file names): put the line ``<!-- not-run -->`` (optionally ``<!-- not-run: why -->``)
  just before its fence. Its commands are still checked against the rules above
  (``cdinterop`` or an allowed setup command) but not run. The comment shows nowhere.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cdinterop._cli import app

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
STANDARDS = ROOT.parent / "shared" / "standards"
PAGES = [*sorted(DOCS.glob("*.md")), ROOT / "README.md", ROOT / "mappings" / "README.md"]
COPIED = ("examples", "mappings", "schemas")

#: Standard files the docs name by file name alone, and where they are in the shared folder.
SHARED_FILES = {
    "IAEG-SDGs_SDG_1.0_structure.xml": STANDARDS / "sdmx" / "IAEG-SDGs_SDG_1.0_structure.xml",
    "dcat-ap-SHACL.ttl": STANDARDS / "dcat-ap-3.0.1" / "dcat-ap-SHACL.ttl",
    "ZW01_SDG_structure.xml": STANDARDS.parent
    / "real-world"
    / "sdmx"
    / "zimbabwe"
    / "ZW01_SDG_structure.xml",
}

#: The commands other than ``cdinterop`` a page may show (matched on the whole command,
#: its words joined by one space). They set up or check the project; they are not run.
SETUP_COMMANDS = {
    r"python3 -m venv \S+": "create a virtual environment",
    r"\. \S+/bin/activate": "activate it",
    r"pip install .+": "install cdinterop",
    r"pytest( .*)?": "the test suite",
    r"ruff (check|format)( .*)?": "lint",
    r"mypy( .*)?": "type check",
    r"python benchmarks/\w+\.py( .*)?": "a benchmark",
    r"ls .+": "list outputs",
}

_FENCE = re.compile(
    r"^(?P<marker><!--\s*not-run\b.*?-->\n(?:[ \t]*\n)?)?"
    r"```(?P<lang>console|bash|sh|shell)\b[^\n]*\n(?P<body>.*?)^```",
    flags=re.M | re.S,
)
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_OUTPUT_OPTIONS = ("-o", "--output")


@dataclass(frozen=True)
class Command:
    page: str
    line: int
    text: str  # as shown, continuations joined
    run: bool  # False in a block marked not-run

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}: {self.text}"


def _commands(page: Path) -> list[Command]:
    """The commands of every shell block of ``page``, in page order."""
    text = page.read_text(encoding="utf-8")
    name = str(page.relative_to(ROOT))
    found = []
    for block in _FENCE.finditer(text):
        first = text.count("\n", 0, block.start("body")) + 1
        console = block["lang"] == "console"
        pending: tuple[int, str] | None = None
        for offset, raw in enumerate(block["body"].splitlines()):
            line = raw.strip()
            if pending is not None:
                start, so_far = pending
                joined = f"{so_far} {line.removesuffix(chr(92)).strip()}"
            elif console and not raw.startswith("$ "):
                continue  # shown output
            else:
                start, joined = first + offset, line.removeprefix("$ ").removesuffix("\\").strip()
            if line.endswith("\\"):
                pending = (start, joined)
                continue
            pending = None
            if joined and not joined.startswith("#"):
                found.append(Command(name, start, joined, run=block["marker"] is None))
        assert pending is None, f"{name}:{pending[0]}: the last line ends with a backslash"
    return found


def _segments(command: Command) -> list[list[str]]:
    """The words of each command of a ``&&`` chain (quotes removed, comments dropped)."""
    lexer = shlex.shlex(command.text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    segments: list[list[str]] = [[]]
    for token in lexer:
        if token == "&&":
            segments.append([])
        elif token and set(token) <= set(lexer.punctuation_chars):
            pytest.fail(f"{command.where}: unsupported shell syntax {token!r}")
        else:
            segments[-1].append(token)
    assert all(segments), f"{command.where}: an empty command in a && chain"
    return segments


def _split_assignments(words: list[str]) -> tuple[dict[str, str], list[str]]:
    env = {}
    while words and _ASSIGNMENT.match(words[0]):
        name, value = words[0].split("=", 1)
        env[name] = value
        words = words[1:]
    return env, words


def _setup_kind(words: list[str]) -> str | None:
    joined = " ".join(words)
    return next((what for rx, what in SETUP_COMMANDS.items() if re.fullmatch(rx, joined)), None)


def _expand(words: list[str], cwd: Path) -> list[str]:
    """Globs expanded as a shell would (a pattern matching nothing stays as written)."""
    expanded = []
    for word in words:
        magic = any(c in word for c in "*?[")
        matches = sorted(m.relative_to(cwd).as_posix() for m in cwd.glob(word)) if magic else []
        expanded.extend(matches or [word])
    return expanded


def _shared(words: list[str]) -> list[str]:
    return [SHARED_FILES[w].as_posix() if w in SHARED_FILES else w for w in words]


def _outputs(args: list[str]) -> list[str]:
    return [args[i + 1] for i, a in enumerate(args[:-1]) if a in _OUTPUT_OPTIONS]


def _workspace(tmp_path: Path) -> Path:
    for name in COPIED:
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


def _page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


SHELL_PAGES = [p for p in PAGES if _commands(p)]


def test_every_page_with_shell_examples_is_checked() -> None:
    """The pages the task is about are found (a renamed fence would drop them silently)."""
    names = {_page_id(p) for p in SHELL_PAGES}
    expected = ["datapackage", "dcat", "index", "ingest", "quickstart", "sdmx"]
    assert {"README.md", *(f"docs/{n}.md" for n in expected)} <= names


def _check_kind(command: Command, words: list[str]) -> None:
    """``cdinterop``, ``export`` or an allowed setup command."""
    _, words = _split_assignments(words)
    if words and words[0] not in ("cdinterop", "export"):
        assert _setup_kind(words), (
            f"{command.where}: {words[0]!r} is neither cdinterop nor a known setup command: "
            "add it to SETUP_COMMANDS, or mark the block <!-- not-run -->"
        )


def _run_cdinterop(command: Command, args: list[str], env: dict[str, str], cwd: Path) -> None:
    missing = [SHARED_FILES[a] for a in args if a in SHARED_FILES and not SHARED_FILES[a].is_file()]
    if missing:  # the commands before this one have run
        pytest.skip(f"{command.where}: needs the shared standards folder: no {missing[0]}")
    args = _shared(_expand(args, cwd))
    result = CliRunner().invoke(app, args, env=env)
    details = result.output
    if result.exc_info and not isinstance(result.exception, SystemExit):
        details += "".join(traceback.format_exception(*result.exc_info))
    assert result.exit_code == 0, f"{command.where}\nexit {result.exit_code}\n{details}"
    for output in _outputs(args):
        assert (cwd / output).exists(), f"{command.where}: {output} was not written"


@pytest.mark.parametrize("page", SHELL_PAGES, ids=_page_id)
def test_shell_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's shell examples, in order, as a reader runs them from a checkout."""
    parsed = [(c, _segments(c)) for c in _commands(page)]
    for command, segments in parsed:
        for words in segments:
            _check_kind(command, words)

    for name in list(os.environ):
        if name.startswith("CDINTEROP_"):
            monkeypatch.delenv(name)
    cwd = _workspace(tmp_path)
    monkeypatch.chdir(cwd)
    page_env: dict[str, str] = {}
    for command, segments in parsed:
        if not command.run:
            continue
        for words in segments:
            env, words = _split_assignments(words)
            if not words:
                page_env.update(env)  # NAME=value alone: a shell variable, as good here
            elif words[0] == "export":
                for assignment in words[1:]:
                    assert _ASSIGNMENT.match(assignment), f"{command.where}: export what?"
                    name, value = assignment.split("=", 1)
                    page_env[name] = value
            elif words[0] == "cdinterop":
                _run_cdinterop(command, words[1:], {**page_env, **env}, cwd)
            elif words[0] == "ls":
                for listed in (w for w in words[1:] if not w.startswith("-")):
                    assert (cwd / listed).exists(), f"{command.where}: {listed} does not exist"
            elif words[0] == "python":
                assert (ROOT / words[1]).is_file(), f"{command.where}: no {words[1]}"

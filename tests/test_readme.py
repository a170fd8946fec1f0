"""The README's commands are the ones CI runs, and its Python example runs."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _bash_blocks() -> list[str]:
    return re.findall(r"```bash\n(.*?)```", README, flags=re.S)


def test_ci_runs_the_readme_test_command() -> None:
    test_command = next(b.strip() for b in _bash_blocks() if "pytest" in b)
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_first_command_installs_and_runs_the_example() -> None:
    first = _bash_blocks()[0].strip()
    assert "pip install ." in first and "cdinterop convert examples/" in first
    example = first.split("cdinterop convert ")[1].split()[0]
    assert (ROOT / example).is_file()
    mapping = next(token for token in first.split() if token.endswith(".yaml"))
    assert (ROOT / mapping).is_file()


def test_first_command_runs(tmp_path: Path) -> None:
    """The part after the install, as a user runs it (from the checkout)."""
    import shlex
    import subprocess
    import sys

    first = _bash_blocks()[0].strip()
    command = first.split("pip install . && ")[1].split(" && ls ")[0]
    env_part, rest = command.split(" cdinterop ", 1)
    name, value = env_part.split("=", 1)
    args = shlex.split(rest)
    out = args.index("-o")
    args[out + 1] = str(tmp_path / "services")
    code = "import sys; from cdinterop._cli import main; sys.argv[0] = 'cdinterop'; main()"
    import os

    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env={**os.environ, name: value},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    for produced in ("sdmx", "datapackage.zip", "dataset.ttl", "dataset.json", "summary.json"):
        assert (tmp_path / "services" / produced).exists()


def test_python_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    code = re.findall(r"```python\n(.*?)```", README, flags=re.S)[0]
    monkeypatch.chdir(ROOT)
    exec(compile(code, "README.md", "exec"), {})

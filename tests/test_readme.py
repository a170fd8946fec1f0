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
    assert "pip install ." in first and "cdinterop validate examples/" in first
    example = first.split("cdinterop validate ")[1].split()[0]
    assert (ROOT / example).is_file()


def test_python_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    code = re.findall(r"```python\n(.*?)```", README, flags=re.S)[0]
    monkeypatch.chdir(ROOT)
    exec(compile(code, "README.md", "exec"), {})

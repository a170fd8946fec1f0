"""The sdmx1 behaviour `cdinterop.sdmx._native._import_sdmx1_v30_reader()` works around,
reproduced in a fresh interpreter: sdmx1 (2.28) registers the namespace of every
structure-specific data message it reads in its SDMX-ML 2.1 reader's class-level parser
table, and importing its 3.0 reader afterwards fails on those namespaces. When an sdmx1
release fixes it, the first test fails: drop the workaround and raise the pin's upper bound
in pyproject.toml (``sdmx1>=2.20,<2.29``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from cdinterop import load, sdmx

ROOT = Path(__file__).resolve().parents[2]

_READ_THEN_IMPORT = """
import sys
import sdmx
msg = sdmx.read_sdmx(sys.argv[1])
dsd = list(msg.structure.values())[0]
sdmx.read_sdmx(sys.argv[2], structure=dsd)
{workaround}
try:
    import sdmx.reader.xml.v30
except ValueError as exc:
    print("ValueError", exc)
else:
    print("imported")
"""


def _run(tmp_path: Path, workaround: str) -> str:
    dataset = load(ROOT / "examples" / "marine-litter-ghana" / "dataset.json")
    sdmx.write_all(dataset, tmp_path, formats=["ml21-ss"])
    code = _READ_THEN_IMPORT.format(workaround=workaround)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            str(tmp_path / "structure-2.1.xml"),
            str(tmp_path / "data-ml21-ss.xml"),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return result.stdout.strip()


def test_sdmx1_fails_to_import_its_30_reader_after_reading_21_data(tmp_path: Path) -> None:
    assert _run(tmp_path, "").startswith("ValueError urn:sdmx:")


def test_the_workaround_imports_it_all_the_same(tmp_path: Path) -> None:
    workaround = (
        "from cdinterop.sdmx._native import _import_sdmx1_v30_reader\n_import_sdmx1_v30_reader()"
    )
    assert _run(tmp_path, workaround) == "imported"


def test_the_workaround_is_behind_a_version_check_matching_the_pin() -> None:
    """The workaround runs only for the sdmx1 releases it is tested with, and that range is
    the one pyproject.toml pins."""
    import re
    from importlib.metadata import version

    from cdinterop.sdmx._native import SDMX1_TESTED_BELOW, _sdmx1_mixes_reader_tables

    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    upper = re.search(r'"sdmx1>=[\d.]+,<(\d+)\.(\d+)"', pyproject)
    assert upper is not None
    assert (int(upper[1]), int(upper[2])) == SDMX1_TESTED_BELOW
    installed = tuple(int(p) for p in version("sdmx1").split(".")[:2])
    assert _sdmx1_mixes_reader_tables() == (installed < SDMX1_TESTED_BELOW)

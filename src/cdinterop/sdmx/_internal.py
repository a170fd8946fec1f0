"""What other packages of cdinterop use from ``cdinterop.sdmx`` beyond its public API: the
structure references of a message and the official-XSD validation that the checking layer
runs.

This module is internal: it is not part of the public API and may change in any release.
It is the one place another package of cdinterop imports from this package besides the
façade (``tests/test_layers.py`` checks that), so the seams between packages stay visible.
"""

from __future__ import annotations

from cdinterop.sdmx._data_read import read_references
from cdinterop.sdmx._reference import VERSION_POLICIES, check_references, structure_for
from cdinterop.sdmx._xsd_validation import validate_official, validate_structure_specific

__all__ = [
    "VERSION_POLICIES",
    "check_references",
    "read_references",
    "structure_for",
    "validate_official",
    "validate_structure_specific",
]

"""What other packages of cdinterop use from ``cdinterop.sdmx`` beyond its public API: the
structure references of a message, the official-XSD validation that the checking layer
runs (and the official JSON Schemas of SDMX-JSON), and structures fetched from registries
(a URN or URL for a structure file).

This module is internal: it is not part of the public API and may change in any release.
It is the one place another package of cdinterop imports from this package besides the
façade (``tests/test_layers.py`` checks that), so the seams between packages stay visible.
"""

from __future__ import annotations

from cdinterop.sdmx._constraints_xml import STRUCTURES_ORDER
from cdinterop.sdmx._data_read import read_references
from cdinterop.sdmx._json_validation import validate_json_data, validate_json_message
from cdinterop.sdmx._reference import VERSION_POLICIES, check_references, structure_for
from cdinterop.sdmx._registry import FetchedStructure, fetch, is_remote
from cdinterop.sdmx._structure_json import check_json_structure, is_json_structure
from cdinterop.sdmx._xsd_validation import validate_official, validate_structure_specific

__all__ = [
    "STRUCTURES_ORDER",
    "VERSION_POLICIES",
    "FetchedStructure",
    "check_json_structure",
    "check_references",
    "fetch",
    "is_json_structure",
    "is_remote",
    "read_references",
    "structure_for",
    "validate_json_data",
    "validate_json_message",
    "validate_official",
    "validate_structure_specific",
]

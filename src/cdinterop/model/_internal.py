"""What other packages of cdinterop use from ``cdinterop.model`` beyond its public API: the
identifier and language patterns and checks the readers of foreign files reuse, lexical
helpers for writing values, the cdinterop software agent of provenance, the model JSON's
save/load (which the package façade offers) and its nesting guard, and the observation
checks that conformance and checking run.

This module is internal: it is not part of the public API and may change in any release.
It is the one place another package of cdinterop imports from this package besides the
façade (``tests/test_layers.py`` checks that), so the seams between packages stay visible.
"""

from __future__ import annotations

from typing import Any

from cdinterop.model._areas import WKT_PATTERN
from cdinterop.model._base import (
    AGENCY_ID_PATTERN,
    NCNAME_ID_PATTERN,
    SDMX_ID_PATTERN,
    VERSION_PATTERN,
    check_language_tag,
    check_spdx_licence,
)
from cdinterop.model._checks import arrow_type, check_value, series_attribute_groups
from cdinterop.model._constraints import CONSTRAINABLE_CLASSES, Cascade, constrained_class
from cdinterop.model._distribution import MEDIA_TYPE_PATTERN
from cdinterop.model._jsonio import (
    TOO_DEEP,
    check_json,
    check_json_observations,
    dumps,
    load,
    loads,
    save,
)
from cdinterop.model._lexical import as_text, free_text_ids, scalar_text
from cdinterop.model._observations import Observations
from cdinterop.model._provenance import (
    CDINTEROP_AGENT_ID,
    cdinterop_agents,
    free_id,
    recorded_totals,
)
from cdinterop.model._structure import DataStructure

__all__ = [
    "AGENCY_ID_PATTERN",
    "CDINTEROP_AGENT_ID",
    "CONSTRAINABLE_CLASSES",
    "MEDIA_TYPE_PATTERN",
    "NCNAME_ID_PATTERN",
    "SDMX_ID_PATTERN",
    "TOO_DEEP",
    "VERSION_PATTERN",
    "WKT_PATTERN",
    "Cascade",
    "arrow_type",
    "as_text",
    "cdinterop_agents",
    "check_json",
    "check_json_observations",
    "check_language_tag",
    "check_spdx_licence",
    "check_value",
    "conformed_observations",
    "constrained_class",
    "dumps",
    "free_id",
    "free_text_ids",
    "load",
    "loads",
    "recorded_totals",
    "save",
    "scalar_text",
    "series_attribute_groups",
]


def conformed_observations(table: Any, structure: DataStructure) -> Observations:
    """``table`` (an Arrow table already conformed to ``structure``: its columns, types and
    checks, e.g. batch by batch with the checks across batches done by the caller) as
    observations that remember the structure, so that a data set built from them does not
    check them a second time."""
    observations = Observations.from_arrow(table)
    observations._conformed_to = structure
    return observations

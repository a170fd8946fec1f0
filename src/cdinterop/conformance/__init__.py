"""Conformance: carry a data set onto an SDMX data structure it did not define.

A layer of its own above the three formats (it reads the target structure with
[`cdinterop.sdmx.read_structure`][cdinterop.sdmx.read_structure]) and beside aggregation:
the format packages only read and write. The main case is the global SDG DSD
``IAEG-SDGs:SDG``, reached with a declarative
[`ConformanceSpec`][cdinterop.mapping.ConformanceSpec] (YAML, see ``mappings/``)::

    from cdinterop.conformance import conform_with_report
    result = conform_with_report(ds, "IAEG-SDGs_SDG_1.0_structure.xml",
                                 "mappings/services-satisfaction-to-sdg.yaml")
    print(result.report.summary())

Every problem is reported at once as a [`ConformanceError`][cdinterop.conformance.ConformanceError]
(an [`InvalidDatasetError`][cdinterop.errors.InvalidDatasetError]) with located issues.
"""

from __future__ import annotations

from cdinterop.conformance._conform import (
    SOFTWARE_AGENT_ID,
    ConformanceError,
    ConformanceReport,
    ConformanceResult,
    conform,
    conform_with_report,
)

__all__ = [
    "SOFTWARE_AGENT_ID",
    "ConformanceError",
    "ConformanceReport",
    "ConformanceResult",
    "conform",
    "conform_with_report",
]

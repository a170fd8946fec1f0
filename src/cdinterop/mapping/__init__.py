"""Layer 2.5: declarative mapping specs and the vectorised value mapping they run on.

Shared by the SDMX conformance step (:func:`cdinterop.sdmx.conformance.conform`) and the
ingestion of submissions: one implementation of value maps, fixed values, row filters
and unmapped-value policies, not one per use.

* :mod:`cdinterop.mapping.spec` — the pydantic models (:class:`ValueRule`,
  :class:`RowFilter`, :class:`UnmappedPolicy`, :class:`MappingSpec`,
  :class:`ConformanceSpec`);
* :mod:`cdinterop.mapping.values` — Arrow kernels (:func:`map_values`,
  :func:`fixed_values`, :func:`filter_mask`) and the rule engine :func:`apply_rules`;
* :mod:`cdinterop.mapping.loading` — YAML loading with located errors.

Imports only :mod:`cdinterop.model`, :mod:`cdinterop.errors` and :mod:`cdinterop.files`.
"""

from cdinterop.mapping.loading import (
    SpecLoader,
    load_conformance_spec,
    load_spec,
    loads_spec,
    parse_yaml,
)
from cdinterop.mapping.spec import (
    ConformanceSpec,
    MappingSpec,
    OutputIdentity,
    RowFilter,
    Scalar,
    StructureRef,
    UnmappedPolicy,
    ValueRule,
    scalar_text,
)
from cdinterop.mapping.values import (
    DropCount,
    MappedValues,
    MappingResult,
    apply_rules,
    as_text,
    filter_mask,
    fixed_values,
    map_values,
    value_counts,
)

__all__ = [
    "ConformanceSpec",
    "DropCount",
    "MappedValues",
    "MappingResult",
    "MappingSpec",
    "OutputIdentity",
    "RowFilter",
    "Scalar",
    "SpecLoader",
    "StructureRef",
    "UnmappedPolicy",
    "ValueRule",
    "apply_rules",
    "as_text",
    "filter_mask",
    "fixed_values",
    "load_conformance_spec",
    "load_spec",
    "loads_spec",
    "map_values",
    "parse_yaml",
    "scalar_text",
    "value_counts",
]

"""Declarative mapping specs and the vectorised value mapping they run on.

Shared by the conformance step
([`cdinterop.conformance.conform`][cdinterop.conformance.conform]) and the ingestion of
submissions: one implementation of value maps, fixed values, row
filters and unmapped-value policies, not one per use.

* the spec models: [`ValueRule`][cdinterop.mapping.ValueRule],
  [`RowFilter`][cdinterop.mapping.RowFilter],
  [`UnmappedPolicy`][cdinterop.mapping.UnmappedPolicy],
  [`MappingSpec`][cdinterop.mapping.MappingSpec] and
  [`ConformanceSpec`][cdinterop.mapping.ConformanceSpec];
* the Arrow kernels [`map_values`][cdinterop.mapping.map_values],
  [`fixed_values`][cdinterop.mapping.fixed_values] and
  [`filter_mask`][cdinterop.mapping.filter_mask], and the rule engine
  [`apply_rules`][cdinterop.mapping.apply_rules];
* their results: [`MappedValues`][cdinterop.mapping.MappedValues] (from `map_values`),
  [`MappingResult`][cdinterop.mapping.MappingResult] (from `apply_rules`) and the
  [`DropCount`][cdinterop.mapping.DropCount]s that account for the rows it drops;
* references in a spec's structure to built-in codelists, ISO 3166 areas and SDMX structure
  files: [`structure_field`][cdinterop.mapping.structure_field],
  [`expand_structure`][cdinterop.mapping.expand_structure] and the reference models
  [`CodelistReference`][cdinterop.mapping.CodelistReference],
  [`ComponentFromFile`][cdinterop.mapping.ComponentFromFile],
  [`StructureFile`][cdinterop.mapping.StructureFile];
* YAML loading with located errors: [`load_spec`][cdinterop.mapping.load_spec],
  [`loads_spec`][cdinterop.mapping.loads_spec] and
  [`load_conformance_spec`][cdinterop.mapping.load_conformance_spec].

Imports only `cdinterop.model`, `cdinterop.codes` and `cdinterop.errors` (a structure file is
read by the reader the spec model passes in).
"""

from cdinterop.mapping._loading import (
    load_conformance_spec,
    load_spec,
    loads_spec,
)
from cdinterop.mapping._spec import (
    ConformanceSpec,
    MappingSpec,
    OutputIdentity,
    RowFilter,
    StructureRef,
    UnmappedPolicy,
    ValueRule,
)
from cdinterop.mapping._structure_refs import (
    BUILT_IN_CODELISTS,
    CodelistReference,
    ComponentFromFile,
    StructureFile,
    StructureReader,
    expand_structure,
    structure_field,
)
from cdinterop.mapping._values import (
    DropCount,
    MappedValues,
    MappingResult,
    apply_rules,
    filter_mask,
    fixed_values,
    map_values,
)

__all__ = [
    "BUILT_IN_CODELISTS",
    "CodelistReference",
    "ComponentFromFile",
    "ConformanceSpec",
    "DropCount",
    "MappedValues",
    "MappingResult",
    "MappingSpec",
    "OutputIdentity",
    "RowFilter",
    "StructureFile",
    "StructureReader",
    "StructureRef",
    "UnmappedPolicy",
    "ValueRule",
    "apply_rules",
    "expand_structure",
    "filter_mask",
    "fixed_values",
    "load_conformance_spec",
    "load_spec",
    "loads_spec",
    "map_values",
    "structure_field",
]

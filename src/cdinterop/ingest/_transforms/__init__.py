"""Vectorised column transformations for ingesting survey submissions.

Each function takes Arrow columns (raw survey text) and returns the output column with
the rows that failed and why (`Transformed`), so that the run loop can move those
rows to the rejects file. Nothing loops over rows in Python; where a loop cannot be
avoided (keyed hashes) it runs over distinct values only.

* `numbers` — `to_number()`;
* `bands` — `to_bands()`, `Band`,
  `check_bands()`, `age_bands()` (SDMX age codes);
* `dates` — `to_date()`, `to_period()`
  (SDMX reporting periods);
* `constants` — `constant()`;
* `expressions` — `compile_expression()`, a safe
  expression language over several columns;
* `geo` — `parse_geopoint()`,
  `coarsen_to_grid()`;
* `pseudonyms` — `pseudonymise()`, [`load_key()`][cdinterop.ingest.load_key].

Value maps are [`cdinterop.mapping.map_values()`][cdinterop.mapping.map_values], shared with SDMX
conformance.
"""

from cdinterop.ingest._transforms.bands import AGE_PRESETS, Band, age_bands, check_bands, to_bands
from cdinterop.ingest._transforms.constants import constant
from cdinterop.ingest._transforms.dates import (
    DATE_FORMATS,
    DEFAULT_FORMATS,
    Frequency,
    to_date,
    to_period,
)
from cdinterop.ingest._transforms.expressions import (
    FUNCTIONS,
    Expression,
    ExpressionError,
    compile_expression,
)
from cdinterop.ingest._transforms.geo import GeoPoints, GridCells, coarsen_to_grid, parse_geopoint
from cdinterop.ingest._transforms.numbers import NOT_A_NUMBER, to_number
from cdinterop.ingest._transforms.pseudonyms import MIN_KEY_BYTES, load_key, pseudonymise
from cdinterop.ingest._transforms.result import Transformed

__all__ = [
    "AGE_PRESETS",
    "DATE_FORMATS",
    "DEFAULT_FORMATS",
    "FUNCTIONS",
    "MIN_KEY_BYTES",
    "NOT_A_NUMBER",
    "Band",
    "Expression",
    "ExpressionError",
    "Frequency",
    "GeoPoints",
    "GridCells",
    "Transformed",
    "age_bands",
    "check_bands",
    "coarsen_to_grid",
    "compile_expression",
    "constant",
    "load_key",
    "parse_geopoint",
    "pseudonymise",
    "to_bands",
    "to_date",
    "to_number",
    "to_period",
]

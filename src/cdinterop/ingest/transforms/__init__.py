"""Vectorised column transformations for ingesting survey submissions.

Each function takes Arrow columns (raw survey text) and returns the output column with
the rows that failed and why (:class:`Transformed`), so that the run loop can move those
rows to the rejects file. Nothing loops over rows in Python; where a loop cannot be
avoided (keyed hashes) it runs over distinct values only.

* :mod:`~cdinterop.ingest.transforms.numbers` — :func:`to_number`;
* :mod:`~cdinterop.ingest.transforms.bands` — :func:`to_bands`, :class:`Band`,
  :func:`check_bands`, :func:`age_bands` (SDMX age codes);
* :mod:`~cdinterop.ingest.transforms.dates` — :func:`to_date`, :func:`to_period`
  (SDMX reporting periods);
* :mod:`~cdinterop.ingest.transforms.constants` — :func:`constant`;
* :mod:`~cdinterop.ingest.transforms.expressions` — :func:`compile_expression`, a safe
  expression language over several columns;
* :mod:`~cdinterop.ingest.transforms.geo` — :func:`parse_geopoint`,
  :func:`coarsen_to_grid`;
* :mod:`~cdinterop.ingest.transforms.pseudonyms` — :func:`pseudonymise`, :func:`load_key`.

Value maps are :func:`cdinterop.mapping.values.map_values`, shared with SDMX conformance.
"""

from cdinterop.ingest.transforms.bands import AGE_PRESETS, Band, age_bands, check_bands, to_bands
from cdinterop.ingest.transforms.constants import constant
from cdinterop.ingest.transforms.dates import (
    DATE_FORMATS,
    DEFAULT_FORMATS,
    Frequency,
    to_date,
    to_period,
)
from cdinterop.ingest.transforms.expressions import (
    FUNCTIONS,
    Expression,
    ExpressionError,
    compile_expression,
)
from cdinterop.ingest.transforms.geo import GeoPoints, GridCells, coarsen_to_grid, parse_geopoint
from cdinterop.ingest.transforms.numbers import NOT_A_NUMBER, to_number
from cdinterop.ingest.transforms.pseudonyms import MIN_KEY_BYTES, load_key, pseudonymise
from cdinterop.ingest.transforms.result import Transformed

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

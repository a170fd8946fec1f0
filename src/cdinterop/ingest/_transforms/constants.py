"""Constant columns: the same value in every row (e.g. the survey's reference area)."""

from __future__ import annotations

import pyarrow as pa

from cdinterop.ingest._transforms.result import Transformed
from cdinterop.mapping import fixed_values
from cdinterop.mapping._internal import Scalar

__all__ = ["constant"]


def constant(value: Scalar, length: int, type: pa.DataType | None = None) -> Transformed:
    """``length`` copies of ``value`` (of ``type`` if given); no row fails.

    Uses [`cdinterop.mapping.fixed_values()`][cdinterop.mapping.fixed_values], as the spec engine
    does.
    """
    if length < 0:
        raise ValueError(f"length must not be negative, got {length}")
    return Transformed.ok(fixed_values(value, length, type))

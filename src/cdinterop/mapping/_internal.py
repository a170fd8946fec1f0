"""What other packages of cdinterop use from ``cdinterop.mapping`` beyond its public API: the
scalar type of spec values, the text form of values and columns, and the hints for a name
a spec gets wrong (closest name, list of choices).

This module is internal: it is not part of the public API and may change in any release.
It is the one place another package of cdinterop imports from this package besides the
façade (``tests/test_layers.py`` checks that), so the seams between packages stay visible.
"""

from __future__ import annotations

from cdinterop.mapping._spec import Scalar, scalar_text
from cdinterop.mapping._suggest import choices, closest, did_you_mean, not_one_of
from cdinterop.mapping._values import as_text, value_counts

__all__ = [
    "Scalar",
    "as_text",
    "choices",
    "closest",
    "did_you_mean",
    "not_one_of",
    "scalar_text",
    "value_counts",
]

"""From a DataFrame to a data set in one call, for a pipeline that ends in SDMX::

    import pandas as pd
    from cdinterop import frames, sdmx

    frame = pd.DataFrame({"REF_AREA": ["KEN", "KEN"], "SEX": ["F", "M"],
                          "TIME_PERIOD": [2024, 2024], "OBS_VALUE": [61.2, 58.9]})
    ds, inferred = frames.from_frame(frame, dimensions=["REF_AREA", "SEX"], metadata={
        "id": "DF_WATER", "agency": "KNBS", "title": "Access to safe water"})
    sdmx.write_all(ds, "out/")

[`from_frame()`][cdinterop.frames.from_frame] takes anything Arrow can read (pyarrow tables
and record batches, pandas and polars DataFrames, any object with the Arrow PyCapsule stream
interface), creates a concept for every component, chooses the codelists (the built-in SDMX
cross-domain lists and ISO 3166 areas of [`cdinterop.codes`][cdinterop.codes] where the codes
fit, else lists built from the values and owned by the data set's agency) and the value
types, and reports each choice with its reason in a
[`ComponentInference`][cdinterop.frames.ComponentInference].

Only [`cdinterop.model`][cdinterop.model], [`cdinterop.codes`][cdinterop.codes] and pyarrow are
imported; pandas and polars are never imported here.
"""

from cdinterop.frames._errors import FrameError
from cdinterop.frames._from_frame import FrameResult, from_frame
from cdinterop.frames._infer import ComponentInference, Role

__all__ = ["ComponentInference", "FrameError", "FrameResult", "Role", "from_frame"]

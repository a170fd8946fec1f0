"""Random data sets (``cdinterop.testing.citizen_datasets``): the cube holds every
integrity constraint of the recommendation, and reading it back gives what it carries."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from cdinterop import datacube
from cdinterop.model import CitizenDataset
from cdinterop.testing import citizen_datasets

SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(citizen_datasets())
def test_round_trip(ds: CitizenDataset) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for name in ("cube.nt", "cube.ttl"):
            cube = datacube.read(datacube.write(ds, Path(folder) / name))
            assert cube.dataset_id == ds.id
            assert cube.structure == datacube.carried_structure(ds.structure)
            assert cube.observations == ds.observations
            assert cube.attribute_values == ds.attribute_values


@SETTINGS
@given(citizen_datasets())
def test_integrity_constraints_hold(ds: CitizenDataset) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = datacube.write(ds, Path(folder) / "cube.ttl")
        assert datacube.integrity_violations(path, quadratic_ic12=True) == []
        assert datacube.integrity_violations(path) == []

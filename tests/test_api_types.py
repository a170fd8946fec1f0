"""The types users get back from public functions are public themselves, and behave as
their docstrings say."""

from __future__ import annotations

import io
import typing
from pathlib import Path

import pyarrow as pa
import pytest

from cdinterop import ingest, mapping, sdmx
from cdinterop.mapping import (
    DropCount,
    MappedValues,
    MappingResult,
    RowFilter,
    UnmappedPolicy,
    ValueRule,
    apply_rules,
    map_values,
)
from cdinterop.model import CitizenDataset


def test_map_values_returns_the_public_mapped_values() -> None:
    result = map_values(pa.array(["KE", "UG", "XX", None, "XX"]), {"KE": "404", "UG": "800"})
    assert type(result) is MappedValues
    assert result.values.to_pylist() == ["404", "800", None, None, None]
    assert result.unmapped.to_pylist() == [False, False, True, False, True]
    assert result.counts == {"XX": 2}


@pytest.mark.parametrize("policy", list(UnmappedPolicy))
def test_map_values_never_raises_for_unmapped_values(policy: UnmappedPolicy) -> None:
    """Under ``error`` too: the caller looks at ``unmapped`` and ``counts``."""
    result = map_values(pa.array(["a", "b"]), {"a": "A"}, unmapped=policy)
    assert result.unmapped.to_pylist() == [False, True]
    assert result.counts == {"b": 1}
    expected = ["A", "b"] if policy is UnmappedPolicy.KEEP else ["A", None]
    assert result.values.to_pylist() == expected


def test_map_values_compares_keys_with_the_values_text() -> None:
    """As the docstring says: booleans as ``true``/``false``, numbers as their text,
    dictionary columns by their decoded values."""
    booleans = map_values(pa.array([True, False]), {"true": "yes", "false": "no"})
    assert booleans.values.to_pylist() == ["yes", "no"]
    numbers = map_values(pa.array([1, 2]), {"1": "one"})
    assert numbers.values.to_pylist() == ["one", None]
    assert numbers.counts == {2: 1}  # the source value as it is, not as text
    encoded = map_values(pa.array(["KE", "KE"]).dictionary_encode(), {"KE": "404"})
    assert encoded.values.to_pylist() == ["404", "404"]


def test_apply_rules_accounts_with_the_public_drop_count() -> None:
    table = pa.table({"AREA": ["KE", "XX", "KE", "YY"], "SEX": ["F", "F", "_T", "F"]})
    result = apply_rules(
        table,
        {"REF_AREA": ValueRule.model_validate({"from": "AREA", "map": {"KE": "404"}})},
        filters=[RowFilter.model_validate({"name": "no-totals", "drop": {"SEX": ["_T"]}})],
        unmapped=UnmappedPolicy.DROP,
    )
    assert type(result) is MappingResult
    assert all(type(d) is DropCount for d in result.dropped)
    assert result.dropped == (
        DropCount("row-filter", "no-totals", 1),
        DropCount("unmapped-value", "REF_AREA", 1, "XX"),
        DropCount("unmapped-value", "REF_AREA", 1, "YY"),
    )
    assert result.rows_in == result.rows_out + result.rows_dropped
    assert str(result.dropped[1]) == "1 rows dropped: value 'XX' has no entry in REF_AREA's map"
    assert result.dropped[0].to_dict() == {
        "reason": "row-filter",
        "where": "no-totals",
        "value": None,
        "rows": 1,
    }


def test_conformance_report_drop_counts_are_the_public_type() -> None:
    from cdinterop.conformance import ConformanceReport

    assert typing.get_type_hints(ConformanceReport)["dropped"] == tuple[mapping.DropCount, ...]


def test_open_submission_returns_the_public_submission(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("name,size\na,1\nb,2\n", encoding="utf-8")
    with ingest.open_submission(path) as submission:
        assert isinstance(submission, ingest.Submission)
        rows = sum(batch.num_rows for batch in submission.batches())
        assert rows == 2 == submission.rows_read
        assert submission.problems() == []
        info = submission.info
    assert isinstance(info, ingest.SourceInfo)
    assert info.columns == ("name", "size")
    assert info.size == path.stat().st_size


def test_submission_and_source_info_are_exported() -> None:
    assert "Submission" in ingest.__all__ and "SourceInfo" in ingest.__all__
    assert "Submission" in dir(ingest)
    from cdinterop.ingest._sources import SourceInfo, Submission

    assert ingest.Submission is Submission
    assert ingest.SourceInfo is SourceInfo


@pytest.mark.parametrize(
    "written, sniffed",
    [
        ("ml21-ss", "ml21-ss"),
        ("ml21-ss-ts", "ml21-ss"),
        ("ml21-generic", "ml21-generic"),
        ("ml30-ss", "ml30-ss"),
        ("ml30-ss-ts", "ml30-ss"),
        ("csv10", "csv10"),
        ("csv20", "csv20"),
    ],
)
def test_sniff_format_names_the_reader(dataset: CitizenDataset, written: str, sniffed: str) -> None:
    """Time-series messages come back as the flat format's name: one reader reads both."""
    buffer = io.BytesIO()
    sdmx.write(dataset, buffer, format=written)
    assert sdmx.sniff_format(buffer.getvalue()) == sniffed
    stream = io.BytesIO(buffer.getvalue())
    assert sdmx.sniff_format(stream) == sniffed
    assert stream.read() == buffer.getvalue()  # a stream is left where it was


def test_sniff_format_takes_paths_and_refuses_other_content(tmp_path: Path) -> None:
    from cdinterop.errors import ReadError

    path = tmp_path / "data.csv"
    path.write_text("STRUCTURE,STRUCTURE_ID,ACTION\n", encoding="utf-8")
    assert sdmx.sniff_format(path) == sdmx.sniff_format(str(path)) == "csv20"
    with pytest.raises(ReadError):
        sdmx.sniff_format(b"hello")

"""The pure parts of the service: ``Accept`` negotiation and SDMX REST query parsing."""

from __future__ import annotations

import pytest

from cdinterop.serve import ServiceError
from cdinterop.serve._negotiate import Offer, negotiate, parse_accept
from cdinterop.serve._query import (
    KeyFilter,
    Selector,
    parse_data_query,
    parse_query_string,
    parse_structure_query,
    version_order,
)

OFFERS = [
    Offer("application/vnd.sdmx.data+json;version=2.0.0", "json20"),
    Offer("application/vnd.sdmx.data+xml;version=3.0.0", "ml30"),
    Offer("application/vnd.sdmx.data+csv;version=2.0.0", "csv20"),
    Offer("application/vnd.sdmx.genericdata+xml;version=2.1", "generic21"),
    Offer("application/vnd.sdmx.data+csv;version=1.0.0", "csv10"),
]


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, "json20"),
        ("", "json20"),
        ("*/*", "json20"),
        ("application/*", "json20"),
        ("text/csv", "csv20"),
        ("application/xml", "ml30"),
        ("application/vnd.sdmx.data+csv;version=1.0.0", "csv10"),
        ("application/vnd.sdmx.data+csv;version=1.0", "csv10"),
        ('application/vnd.sdmx.data+csv; version="2.0.0"', "csv20"),
        ("application/vnd.sdmx.data+csv", "csv20"),
        ("application/vnd.sdmx.data+csv;version=1.0.0+", "csv10"),
        ("application/vnd.sdmx.data+csv;version=2.0.0+", "csv20"),
        ("application/vnd.sdmx.data+csv;q=0.2, application/vnd.sdmx.data+xml;q=0.8", "ml30"),
        ("application/vnd.sdmx.data+csv, */*;q=0.1", "csv20"),
        ("*/*;q=0.5, application/vnd.sdmx.data+json;q=0", "ml30"),
        ("application/vnd.sdmx.genericdata+xml;version=2.1;charset=utf-8", "generic21"),
        ("APPLICATION/VND.SDMX.DATA+CSV;VERSION=1.0.0", "csv10"),
        ("garbage, text/csv", "csv20"),
    ],
)
def test_negotiate(accept: str | None, chosen: str) -> None:
    assert negotiate(accept, OFFERS).value == chosen


@pytest.mark.parametrize(
    "accept",
    [
        "image/png",
        "application/vnd.sdmx.data+csv;version=3.0.0",
        "application/vnd.sdmx.data+csv;version=2.0.0;labels=name",
        "*/*;q=0",
        "text/csv;q=0",
    ],
)
def test_not_acceptable(accept: str) -> None:
    with pytest.raises(ServiceError) as caught:
        negotiate(accept, OFFERS)
    assert caught.value.status == 406


def test_parse_accept_clamps_and_bounds() -> None:
    ranges = parse_accept("text/csv;q=7, text/xml;q=nope, a/b;q=0.5")
    assert [(r.media_type, r.q) for r in ranges] == [
        ("text/csv", 1.0),
        ("text/xml", 0.0),
        ("a/b", 0.5),
    ]
    assert len(parse_accept(",".join(["text/csv"] * 1000))) == 64


def test_query_strings_keep_plus() -> None:
    assert parse_query_string("c%5BX%5D=ge:1+le:2&key=A+B&x=a%20b") == [
        ("c[X]", "ge:1+le:2"),
        ("key", "A+B"),
        ("x", "a+b"),
    ]
    with pytest.raises(ServiceError):
        parse_query_string("&".join(["a=1"] * 500))


def test_keys() -> None:
    assert KeyFilter.parse("A.KE+UG..*").parts == (
        frozenset({"A"}),
        frozenset({"KE", "UG"}),
        None,
        None,
    )
    with pytest.raises(ServiceError):
        KeyFilter.parse("A.K E")


def test_selectors_and_versions() -> None:
    items = [("A", "X", "1.0"), ("A", "X", "1.10"), ("A", "X", "1.9"), ("B", "Y", "2.0")]
    key = lambda item: item  # noqa: E731
    assert Selector.parse("A", "X", "~", default_version="~").pick(items, key) == [
        ("A", "X", "1.10")
    ]
    assert Selector.parse(None, None, None, default_version="*").pick(items, key) == items
    assert Selector.parse("A,B", None, "latest", default_version="~").pick(items, key) == [
        ("A", "X", "1.10"),
        ("B", "Y", "2.0"),
    ]
    assert Selector.parse("all", "X", "1.0,1.9", default_version="~").pick(items, key) == [
        ("A", "X", "1.0"),
        ("A", "X", "1.9"),
    ]
    assert version_order("1.0.0") > version_order("1.0.0-draft") > version_order("0.9")
    with pytest.raises(ServiceError) as caught:
        Selector.parse("A", "X", "1.2+.0", default_version="~")
    assert caught.value.status == 501
    with pytest.raises(ServiceError):
        Selector.parse("A", "X", "one", default_version="~")


def test_data_queries() -> None:
    v2 = parse_data_query(
        ["dataflow", "AG", "FLOW", "1.0", "A.B"],
        [("c[TIME_PERIOD]", "ge:2020+le:2021"), ("lastNObservations", "2"), ("format", "csv")],
    )
    assert (v2.api, v2.context, v2.flow.ids, v2.last_n, v2.format) == (
        "v2",
        "dataflow",
        frozenset({"FLOW"}),
        2,
        "csv",
    )
    assert v2.filters[0].alternatives == ((("ge", "2020"), ("le", "2021")),)
    v1 = parse_data_query(["AG,FLOW", "A..C", "all"], [("startPeriod", "2020-Q2")])
    assert (v1.api, v1.flow.agencies, v1.flow.latest) == ("v1", frozenset({"AG"}), True)
    assert v1.start_period is not None and v1.start_period.start.month == 4
    everything = parse_data_query([], [])
    assert (everything.api, everything.keys, everything.flow.ids) == ("v2", (), None)
    for segments, parameters in [
        (["FLOW"], [("c[X]", "A")]),  # c[] is for 2.x paths
        (["dataflow", "AG", "FLOW"], [("c[X]", "A"), ("c[X]", "B")]),
        (["dataflow", "AG", "FLOW"], [("endPeriod", "soon")]),
        (["dataflow", "AG", "FLOW"], [("limit", "0")]),
        (["dataflow", "AG", "FLOW"], [("updatedAfter", "yesterday")]),
        (["a", "b", "c", "d"], []),
    ]:
        with pytest.raises(ServiceError) as caught:
            parse_data_query(segments, parameters)
        assert caught.value.status == 400


def test_structure_queries() -> None:
    query = parse_structure_query("codelist", ["SDMX", "CL_SEX"], [("references", "parents")])
    assert query.types == frozenset({"codelist"}) and query.references == "parents"
    assert parse_structure_query("*", [], []).types is None
    with pytest.raises(ServiceError) as caught:
        parse_structure_query("codelist", ["SDMX", "CL_SEX", "1.0", "F"], [])
    assert caught.value.status == 501

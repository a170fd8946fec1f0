"""DTDs and entities are refused by the parsers wherever they sit, not by a look at the
first 64 KiB: a DOCTYPE after a 70 KB comment, a "billion laughs" or an external entity
there, in RDF/XML, SDMX structure and SDMX data, through the API and the CLI (issue 14,
point 1). Each is refused at once, with a clear ReadError, without any network access."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cdinterop import dcat, sdmx
from cdinterop._cli import app
from cdinterop._safe_xml import PROLOG_BYTES
from cdinterop.dcat._files import parse_graph
from cdinterop.errors import ReadError
from cdinterop.sdmx._xsd_validation import validate_official

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
STRUCTURE = CORPUS / "sdmx" / "structure-2.1.xml"
DATA = CORPUS / "sdmx" / "xxe.xml"  # a good message once its DOCTYPE line is gone
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
# The comment names the RDF namespace so that the ".rdf is RDF/XML" sniff passes too.
COMMENT = f"<!-- {RDF_NS} {'x' * 70_000} -->\n"
LAUGHS = (
    '<!DOCTYPE r [<!ENTITY x "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {"bcdefghij"[i]} "{("&" + "xbcdefghi"[i] + ";") * 10}">' for i in range(9))
    + "]>"
)
DTDS = {
    "doctype": '<!DOCTYPE r [<!ENTITY x "expanded">]>',
    "laughs": LAUGHS,
    "external": '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    "external-dtd": '<!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd">',
}
REFERENCE = {"doctype": "&x;", "laughs": "&j;", "external": "&x;", "external-dtd": ""}
RDF_BODY = (
    f'<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:dct="http://purl.org/dc/terms/" '
    'xmlns:dcat="http://www.w3.org/ns/dcat#">'
    '<dcat:Dataset rdf:about="http://example.org/ds"><dct:title>{ref}</dct:title>'
    "</dcat:Dataset></rdf:RDF>"
)


def _hostile(body: str, case: str) -> bytes:
    """``body`` (an XML document without a DOCTYPE) with a 70 KB comment and then the
    declarations of ``case`` before its root, and the entity used in its first text."""
    declaration = '<?xml version="1.0" encoding="UTF-8"?>\n'
    body = re.sub(r"^<\?xml[^>]*\?>\s*", "", body)
    body = body.replace("<mes:ID>", f"<mes:ID>{REFERENCE[case]}", 1)
    document = declaration + COMMENT + DTDS[case] + "\n" + body
    data = document.encode()
    assert data.find(b"<!DOCTYPE") > PROLOG_BYTES  # beyond the old prefix check
    return data


def _data_body() -> str:
    text = DATA.read_text(encoding="utf-8")
    return re.sub(r"<!DOCTYPE[^\n]*\n", "", text)


def _rdf_body(case: str) -> str:
    return RDF_BODY.replace("{ref}", REFERENCE[case] or "t")


def _refused(read: Callable[[], object]) -> str:
    start = time.monotonic()
    with pytest.raises(ReadError) as info:
        read()
    assert time.monotonic() - start < 5
    message = str(info.value)
    assert "DTD or entities" in message
    assert "root:" not in message and "aaaaaaaaaa" not in message  # nothing expanded
    return message


CASES = sorted(DTDS)


@pytest.mark.parametrize("case", CASES)
def test_rdfxml(case: str, tmp_path: Path, no_network: list[Any]) -> None:
    data = _hostile(_rdf_body(case), case)
    _refused(lambda: parse_graph(data, "xml", source="upload"))
    path = tmp_path / f"{case}.rdf"
    path.write_bytes(data)
    assert str(path) in _refused(lambda: dcat.read(path))
    assert no_network == []


@pytest.mark.parametrize("case", CASES)
def test_sdmx_structure(case: str, tmp_path: Path, no_network: list[Any]) -> None:
    data = _hostile(STRUCTURE.read_text(encoding="utf-8"), case)
    path = tmp_path / f"{case}-structure.xml"
    path.write_bytes(data)
    _refused(lambda: sdmx.read_structure(path))
    _refused(lambda: sdmx.read_structure(data))
    errors = validate_official(data)
    assert len(errors) == 1 and "DTD or entities" in errors[0]
    assert no_network == []


@pytest.mark.parametrize("case", CASES)
def test_sdmx_data(case: str, tmp_path: Path, no_network: list[Any]) -> None:
    data = _hostile(_data_body(), case)
    path = tmp_path / f"{case}-data.xml"
    path.write_bytes(data)
    _refused(lambda: sdmx.read(path, structure=STRUCTURE))
    _refused(lambda: sdmx.read(data, structure=STRUCTURE))
    assert no_network == []


def test_the_clean_documents_are_read(tmp_path: Path) -> None:
    """The bodies the hostile cases are built from are fine without the declarations."""
    assert sdmx.read(_data_body().encode(), structure=STRUCTURE).observations.num_rows == 3
    path = tmp_path / "clean.rdf"
    path.write_text(COMMENT + _rdf_body("doctype").replace("&x;", "t"), encoding="utf-8")
    assert len(dcat.read_graph(path)) > 0


def _cli(args: list[str], message: str = "DTD or entities") -> Any:
    start = time.monotonic()
    result = CliRunner().invoke(app, args)
    assert time.monotonic() - start < 10
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert message in " ".join(result.output.split())
    return result


@pytest.mark.parametrize("case", CASES)
def test_cli_refuses(case: str, tmp_path: Path, no_network: list[Any]) -> None:
    rdf = tmp_path / f"{case}.rdf"
    rdf.write_bytes(_hostile(_rdf_body(case), case))
    structure = tmp_path / f"{case}-structure.xml"
    structure.write_bytes(_hostile(STRUCTURE.read_text(encoding="utf-8"), case))
    data = tmp_path / f"{case}-data.xml"
    data.write_bytes(_hostile(_data_body(), case))
    _cli(["validate", str(rdf)])
    _cli(["dcat", "read", str(rdf), "-o", str(tmp_path / "out.json")])
    # validate recognises the kind of a file from its first 64 KiB (checking.py): SDMX-ML
    # behind a 70 KB comment is "not a kind of file cdinterop checks" (refused, exit 2)
    _cli(["validate", str(structure)], message="not a kind of file")
    _cli(["validate", str(data), "-s", str(STRUCTURE)], message="not a kind of file")
    _cli(["sdmx", "read", str(data), "-s", str(STRUCTURE), "-o", str(tmp_path / "d.json")])
    assert not (tmp_path / "out.json").exists() and not (tmp_path / "d.json").exists()
    assert no_network == []

"""SDMX REST errors: the HTTP status, the SDMX error code and the error message body.

SDMX REST answers a failed query with an HTTP status and an SDMX error message
(``mes:Error`` with a coded ``mes:ErrorMessage``). The codes are those of the SDMX
standard (Section 5, web services): 100 no results found, 140 syntax error, 150
semantic error, 500 internal server error, 501 not implemented, 510 response too large;
cdinterop adds 1000 (not acceptable: no representation matches the ``Accept`` header or
``format=``), a code of the range the standard leaves to services.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from xml.sax.saxutils import escape

from cdinterop.errors import CdinteropError

__all__ = [
    "ERROR_MEDIA_TYPES",
    "NOT_ACCEPTABLE",
    "NOT_IMPLEMENTED",
    "NO_RESULTS",
    "SEMANTIC_ERROR",
    "SYNTAX_ERROR",
    "ServiceError",
    "error_body",
]

NO_RESULTS = 100
SYNTAX_ERROR = 140
SEMANTIC_ERROR = 150
INTERNAL_ERROR = 500
NOT_IMPLEMENTED = 501
TOO_LARGE = 510
NOT_ACCEPTABLE = 1000

_TITLES = {
    NO_RESULTS: "No results found",
    SYNTAX_ERROR: "Syntax error",
    SEMANTIC_ERROR: "Semantic error",
    INTERNAL_ERROR: "Internal server error",
    NOT_IMPLEMENTED: "Not implemented",
    TOO_LARGE: "Response size exceeds service limit",
    NOT_ACCEPTABLE: "Not acceptable",
}
_STATUS = {
    NO_RESULTS: 404,
    SYNTAX_ERROR: 400,
    SEMANTIC_ERROR: 400,
    INTERNAL_ERROR: 500,
    NOT_IMPLEMENTED: 501,
    TOO_LARGE: 413,
    NOT_ACCEPTABLE: 406,
}

ERROR_MEDIA_TYPES = {"xml": "application/xml", "json": "application/json"}
"""Media types of the error message: SDMX-ML 2.1 ``mes:Error`` or an SDMX-JSON ``errors``
list."""

_MESSAGE_NS = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
_COMMON_NS = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"


@dataclass
class ServiceError(CdinteropError):
    """A query the service cannot answer: an SDMX error ``code`` (its HTTP status follows)
    and what went wrong, in words."""

    code: int
    detail: str

    def __post_init__(self) -> None:
        super().__init__(f"{self.title}: {self.detail}")

    @property
    def status(self) -> int:
        """The HTTP status of the answer (404 for no results, 400, 406, 413, 501 ...)."""
        return _STATUS.get(self.code, 500)

    @property
    def title(self) -> str:
        """The standard's name of the error code."""
        return _TITLES.get(self.code, "Error")


def error_body(error: ServiceError, kind: str = "xml") -> bytes:
    """The body of the error message: SDMX-ML 2.1 ``mes:Error`` (``kind="xml"``) or a
    JSON ``{"errors": [...]}`` in the shape of SDMX-JSON (``kind="json"``)."""
    if kind == "json":
        errors = [{"code": error.code, "title": error.title, "detail": error.detail}]
        return json.dumps({"errors": errors}, ensure_ascii=False).encode("utf-8")
    text = escape(f"{error.title}: {error.detail}")
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        f'<mes:Error xmlns:mes="{_MESSAGE_NS}" xmlns:com="{_COMMON_NS}">\n'
        f'  <mes:ErrorMessage code="{error.code}">\n'
        f'    <com:Text xml:lang="en">{text}</com:Text>\n'
        "  </mes:ErrorMessage>\n"
        "</mes:Error>\n"
    ).encode()

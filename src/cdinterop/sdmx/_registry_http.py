"""Requests to SDMX registries, built and sent by sdmx1's ``Client``, answers read within the
reader limits.

sdmx1 builds the request (``Client.get(..., dry_run=True)``: the SDMX REST path of a
resource for a `Source` with the registry's base URL, or a URL as given) and its
``Session`` sends it. The answer is not handed to sdmx1's parser: ``Client.get()`` reads
the whole body into memory and parses it with lxml's defaults (internal entities
expanded); instead the body is streamed here, refused beyond the ``bytes`` limit (counted
after any gzip decoding, so a compressed bomb stops there too) or after a deadline, and
the bytes go to cdinterop's own reader, which refuses DTDs and entities.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cdinterop import limits
from cdinterop.errors import ReadError

if TYPE_CHECKING:
    import requests

__all__ = ["ACCEPT", "NetworkError", "Prepared", "download", "prepare_resource", "prepare_url"]

ACCEPT = (
    "application/vnd.sdmx.structure+xml;version=2.1, "
    "application/vnd.sdmx.structure+xml;version=3.0.0;q=0.9, "
    "application/xml;q=0.5, text/xml;q=0.5"
)
"""What is asked for: SDMX-ML 2.1 structure messages first, then 3.0.0, then any XML."""

_CHUNK = 16 * 1024
_DEADLINE_FACTOR = 10
"""The whole download may take this many times the timeout (a server that sends a byte a
second would otherwise never time out)."""


class NetworkError(Exception):
    """The request failed: no connection, no answer in time, an HTTP error status
    (``status``, ``None`` for the others)."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.status = status


@dataclass
class Prepared:
    """A request ready to send, with the sdmx1 client that built it."""

    url: str
    request: requests.PreparedRequest
    client: Any = field(repr=False)


def _client(base: str | None, api: str | None) -> Any:
    """An sdmx1 ``Client`` for the registry at ``base`` (REST API ``api``: ``"1"`` for the
    SDMX 2.1 paths, ``"2"`` for SDMX-REST 2 ``structure/...`` paths), or for a URL."""
    from sdmx.format import Version
    from sdmx.source import Source

    import sdmx

    client = sdmx.Client()
    if base is not None:
        versions = {Version["3.0.0"] if api == "2" else Version["2.1"]}
        client.source = Source(
            id="CDINTEROP_REGISTRY", url=base.rstrip("/"), name="SDMX registry", versions=versions
        )
    return client


def prepare_resource(
    base: str, api: str, kind: str, agency: str, resource_id: str, version: str | None
) -> Prepared:
    """The request for a structure (``datastructure`` or ``dataflow``) and everything it
    refers to (``references=descendants``: its DSD, codelists and concept schemes)."""
    client = _client(base, api)
    options: dict[str, Any] = {"agency_id": agency, "params": {"references": "descendants"}}
    if version:
        options["version"] = version
    request = client.get(
        kind, resource_id, dry_run=True, headers={"Accept": ACCEPT}, force=True, **options
    )
    return Prepared(str(request.url), request, client)


def prepare_url(url: str) -> Prepared:
    """The request for a URL as given."""
    client = _client(None, None)
    request = client.get(url=url, dry_run=True, headers={"Accept": ACCEPT})
    return Prepared(str(request.url), request, client)


def download(prepared: Prepared, source: str, timeout: float) -> tuple[bytes, str | None]:
    """The body and content type of the answer; [`LimitExceeded`][cdinterop.limits.LimitExceeded]
    beyond the ``bytes`` limit, `NetworkError` (the reason) for anything else that fails."""
    import requests

    session = prepared.client.session
    settings = session.merge_environment_settings(prepared.url, {}, None, None, None)
    settings["stream"] = True
    with session:  # closed with its connections once the answer is read
        try:
            response = session.send(
                prepared.request, timeout=timeout, allow_redirects=True, **settings
            )
        except requests.RequestException as exc:
            raise NetworkError(_reason(exc, timeout)) from None
        with response:
            if response.status_code >= 400:
                raise NetworkError(_status(response), response.status_code)
            body = _body(response, source, timeout)
            return body, response.headers.get("Content-Type")


def _body(response: requests.Response, source: str, timeout: float) -> bytes:
    import requests

    limit = limits.current().bytes
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit():
        limits.exceeded(source, "bytes", int(declared), f"an answer of {int(declared):,} bytes")
    total = timeout * _DEADLINE_FACTOR
    expired = threading.Event()
    # each read waits at most `timeout`, but a server that sends a byte now and then never
    # lets one time out: at the deadline the connection is shut, which ends the read
    timer = threading.Timer(total, _shut, (response, expired))
    timer.daemon = True
    chunks: list[bytes] = []
    size = 0
    deadline = time.monotonic() + total
    timer.start()
    try:
        for chunk in response.iter_content(_CHUNK):
            size += len(chunk)
            if size > limit:
                limits.exceeded(source, "bytes", size, f"an answer of more than {limit:,} bytes")
            if time.monotonic() > deadline:
                expired.set()  # (when the socket could not be shut)
                break
            chunks.append(chunk)
    except Exception as exc:  # the shut socket may surface as anything from the layers below
        if expired.is_set():
            pass
        elif isinstance(exc, requests.RequestException | OSError | ValueError):
            raise NetworkError(_reason(exc, timeout)) from None
        else:
            raise
    finally:
        timer.cancel()
    if expired.is_set():
        raise NetworkError(f"the answer took longer than {total:g} s ({size:,} bytes received)")
    return b"".join(chunks)


def _shut(response: requests.Response, expired: threading.Event) -> None:
    """End the download of ``response`` now: shut its socket, so that a read blocked on it
    returns."""
    expired.set()
    sock = _socket(response)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _socket(response: requests.Response) -> socket.socket | None:
    """The socket ``response`` is read from: its urllib3 connection's, or (once http.client
    has handed the socket over to the response, as it does when the server closes the
    connection after the answer) the one under the response's file object."""
    raw = response.raw
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    if sock is None:
        reader = getattr(getattr(raw, "_fp", None), "fp", None)
        sock = getattr(getattr(reader, "raw", None), "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


_RESPONSE_CODES = {
    400: "bad syntax",
    401: "unauthorised",
    403: "forbidden",
    404: "not found",
    406: "not acceptable",
    413: "request entity too large",
    414: "URI too long",
    500: "internal server error",
    501: "not implemented",
    503: "unavailable",
}
"""The SDMX REST meaning of HTTP error statuses (as sdmx1's ``rest.RESPONSE_CODE``)."""


def _status(response: requests.Response) -> str:
    code = response.status_code
    meaning = _RESPONSE_CODES.get(code) or response.reason or "error"
    hint = ""
    if code == 404:
        hint = ": there is no such structure there"
    elif code == 501:
        hint = ": the registry does not implement this query"
    return f"the server answered HTTP {code} ({meaning}){hint}"


_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")


def _reason(exc: Exception, timeout: float) -> str:
    """A short reason for a failed request (requests' own messages run to several lines
    of nested exceptions)."""
    import requests

    if isinstance(exc, requests.Timeout):
        return f"no answer within {timeout:g} s"
    text = str(exc)
    if isinstance(exc, requests.exceptions.SSLError):
        return f"TLS error ({text[:200]})"
    if "NameResolutionError" in text or "Failed to resolve" in text:
        return "the host name cannot be resolved"
    found = _ERRNO.search(text)
    if found is not None:
        return found[1].strip().rstrip(".")
    if "timed out" in text.lower():
        return f"no answer within {timeout:g} s"
    if isinstance(exc, requests.exceptions.TooManyRedirects):
        return "too many redirects"
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return f"not a usable URL ({text[:200]})"
    return f"{type(exc).__name__}: {text[:200]}"


def refuse_non_http(url: str, source: str) -> None:
    """Raise [`ReadError`][cdinterop.errors.ReadError] unless ``url`` is an http(s) URL."""
    if not re.match(r"^https?://[^/\s]+", url, re.IGNORECASE):
        raise ReadError(source, f"{url!r} is not an http or https URL")

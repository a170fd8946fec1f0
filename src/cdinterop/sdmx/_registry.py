"""Structures from SDMX registries: an SDMX URN or an SDMX REST URL wherever a structure
file is accepted.

A ``str`` that is an SDMX URN of a DSD or dataflow
(``urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=IAEG-SDGs:SDG(1.0)``) or an
``http(s)`` URL is fetched; a ``Path``, bytes and any other ``str`` stay files. A URN is
asked of a registry, the first of

1. the ``registry`` argument (``--registry URL`` on the command line),
2. [`registry_options()`][cdinterop.sdmx.registry_options] around the call,
3. the environment variable ``CDINTEROP_REGISTRY``,
4. [`DEFAULT_REGISTRY`][cdinterop.sdmx.DEFAULT_REGISTRY], the SDMX Global Registry,

at the SDMX REST path of the artefact with ``references=descendants`` (its DSD, codelists
and concept schemes): ``structure/datastructure/AGENCY/ID/VERSION`` for a registry whose
address ends in ``/v2`` or ``/3.0`` (SDMX-REST 2), ``datastructure/AGENCY/ID/VERSION``
otherwise (SDMX-REST 1; ``CDINTEROP_REGISTRY_API=1`` or ``2`` decides for an address that
says neither). sdmx1's ``Client`` builds and sends the request; the answer is read within
the reader limits and parsed by cdinterop's own safe reader (see `_registry_http`).

Answers are kept in an on-disk cache (see `_registry_cache`) and a copy there is used
without asking the network again (an artefact's version does not change once final);
``refresh`` fetches again once per process, ``offline`` (or ``CDINTEROP_OFFLINE=1``) uses
the cache only. An answer that the reader refuses is not kept.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TypeVar

from cdinterop._version import __version__
from cdinterop.errors import InvalidDatasetError, ReadError, WriteError
from cdinterop.sdmx._reference import parse_urn
from cdinterop.sdmx._registry_cache import (
    CACHE_ENV,
    CachedCopy,
    StructureCache,
    cache_folder,
)
from cdinterop.sdmx._registry_http import (
    ACCEPT,
    NetworkError,
    Prepared,
    download,
    prepare_resource,
    prepare_url,
    refuse_non_http,
)

__all__ = [
    "API_ENV",
    "DEFAULT_REGISTRY",
    "OFFLINE_ENV",
    "REGISTRY_ENV",
    "TIMEOUT",
    "FetchedStructure",
    "fetch",
    "fetch_structure",
    "is_remote",
    "read_remote",
    "registry_options",
]

DEFAULT_REGISTRY: Final = "https://registry.sdmx.org/sdmx/v2"
"""The registry a URN is asked of when none is configured: the SDMX Global Registry
(SDMX-REST 2)."""
REGISTRY_ENV: Final = "CDINTEROP_REGISTRY"
OFFLINE_ENV: Final = "CDINTEROP_OFFLINE"
API_ENV: Final = "CDINTEROP_REGISTRY_API"
TIMEOUT: Final = 30.0
"""Seconds to wait for the connection and for each part of the answer."""

_URL = re.compile(r"^https?://", re.IGNORECASE)
_FLOW_IN_URL = re.compile(r"/dataflow/[^/?#]+/([^/?#]+)")
_KINDS = ("datastructure", "dataflow")


def is_remote(source: object) -> bool:
    """Whether ``source`` names a structure to fetch: a ``str`` that is an SDMX URN or an
    http(s) URL (a ``Path`` is always a file)."""
    return isinstance(source, str) and (
        source.startswith("urn:sdmx:") or _URL.match(source) is not None
    )


@dataclass(frozen=True)
class _Settings:
    registry: str | None = None
    offline: bool | None = None
    refresh: bool | None = None
    cache_dir: str | Path | None = None
    timeout: float | None = None


_SETTINGS: contextvars.ContextVar[_Settings | None] = contextvars.ContextVar(
    "cdinterop_registry", default=None
)
_REFRESHED: set[str] = set()
"""Cache keys fetched again in this process (``refresh`` fetches once, not at every read)."""
_FETCHED_HERE: set[str] = set()
"""Cache keys downloaded by this process and not read yet: dropped if the reader refuses them."""


@contextlib.contextmanager
def registry_options(
    *,
    registry: str | None = None,
    offline: bool | None = None,
    refresh: bool | None = None,
    cache_dir: str | Path | None = None,
    timeout: float | None = None,
) -> Iterator[None]:
    """Fetch the structures named by URN or URL inside the block with these settings
    (``None`` keeps the one in force): the ``registry`` base URL that URNs are asked of,
    ``offline`` (the cache only), ``refresh`` (fetch again, once per process, even when the
    cache has a copy), the cache folder and the ``timeout`` in seconds. Arguments of
    [`fetch_structure()`][cdinterop.sdmx.fetch_structure] still win. The command line's
    ``--registry``, ``--offline`` and ``--refresh`` set them."""
    current = _SETTINGS.get() or _Settings()
    token = _SETTINGS.set(
        _Settings(
            registry=current.registry if registry is None else registry,
            offline=current.offline if offline is None else offline,
            refresh=current.refresh if refresh is None else refresh,
            cache_dir=current.cache_dir if cache_dir is None else cache_dir,
            timeout=current.timeout if timeout is None else timeout,
        )
    )
    try:
        yield
    finally:
        _SETTINGS.reset(token)


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _api(base: str) -> str:
    chosen = os.environ.get(API_ENV, "").strip()
    if chosen in ("1", "2"):
        return chosen
    last = base.rstrip("/").rsplit("/", 1)[-1].lower()
    return "2" if last in ("v2", "3.0") else "1"


@dataclass(frozen=True)
class FetchedStructure:
    """A structure fetched from a registry (or its cached copy)."""

    source: str
    """The URN or URL asked for."""
    url: str
    """The URL of the request."""
    path: Path
    """The copy in the cache: the bytes as the registry sent them."""
    registry: str | None
    """The registry's base URL (``None`` for a URL given whole)."""
    dataflow: str | None
    """The id of the dataflow the URN or URL names (``None`` for a DSD)."""
    from_cache: bool
    """Whether the copy was already in the cache (nothing was fetched)."""


def _prepare(source: str, registry: str | None) -> tuple[Prepared, str | None, str | None]:
    """The request for ``source``, the registry it goes to and the dataflow it names."""
    if _URL.match(source):
        refuse_non_http(source, source)
        found = _FLOW_IN_URL.search(source)
        return prepare_url(source), None, found[1] if found else None
    reference = parse_urn(source)
    if reference is None or reference.kind not in _KINDS:
        raise ReadError(
            source,
            "not the SDMX URN of a DSD or dataflow (urn:sdmx:org.sdmx.infomodel.datastructure."
            "DataStructure=AGENCY:ID(VERSION) or ...Dataflow=AGENCY:ID(VERSION))",
        )
    base = registry or os.environ.get(REGISTRY_ENV) or DEFAULT_REGISTRY
    refuse_non_http(base, f"the registry {base}")
    prepared = prepare_resource(
        base, _api(base), reference.kind, reference.agency, reference.id, reference.version
    )
    flow = reference.id if reference.kind == "dataflow" else None
    return prepared, base, flow


@dataclass(frozen=True)
class _Options:
    """The settings of one fetch, each decided (argument, then `registry_options()`, then
    the environment, then the default)."""

    registry: str | None
    offline: bool
    refresh: bool
    cache_dir: str | Path | None
    timeout: float


def _options(
    registry: str | None,
    offline: bool | None,
    refresh: bool | None,
    cache_dir: str | Path | None,
    timeout: float | None,
) -> _Options:
    """The settings of a fetch: the arguments given, else those of
    [`registry_options()`][cdinterop.sdmx.registry_options], else the environment's and
    the defaults."""
    settings = _SETTINGS.get() or _Settings()
    return _Options(
        registry=registry or settings.registry,
        offline=_first(offline, settings.offline, _flag(OFFLINE_ENV)),
        refresh=_first(refresh, settings.refresh, False),
        cache_dir=cache_dir or settings.cache_dir,
        timeout=timeout or settings.timeout or TIMEOUT,
    )


def _copy_serves(options: _Options, key: str) -> bool:
    """Whether a copy in the cache answers: offline, without ``refresh``, or already fetched
    again by this process."""
    return options.offline or not options.refresh or key in _REFRESHED


def _offline_error(source: str, folder: Path, asked: str) -> ReadError:
    """The error of an offline fetch whose answer the cache has no copy of."""
    return ReadError(
        source,
        f"offline (--offline or {OFFLINE_ENV}=1), and the cache ({folder}) has no "
        f"copy of {asked}; fetch it once online (without --offline) to keep a copy, or "
        "give the structure as a file",
    )


def _network_fix(status: int | None, base: str | None) -> str:
    """What to do about a failed request: its HTTP ``status`` (``None`` when there was no
    answer) and the registry it went to (``None`` for a URL given whole)."""
    if status == 404:
        return "check the agency, id and version" if base else "check the URL"
    if status is not None:
        return "try again later, or ask the registry's maintainers"
    if base:
        return f"check the registry address (--registry, {REGISTRY_ENV}) and the network"
    return "check the URL and the network"


def _network_error(
    source: str,
    asked: str,
    exc: NetworkError,
    base: str | None,
    kept: CachedCopy | None,
    folder: Path,
) -> ReadError:
    """The error of a request that failed: where it went, why, whether the cache has a copy
    and the fix."""
    where = f"from the registry {base} " if base else ""
    had = (
        f"the cache has a copy from {kept.meta.get('fetched')}: drop --refresh to use it"
        if kept is not None
        else f"the cache ({folder}) has no copy"
    )
    fix = _network_fix(exc.status, base)
    return ReadError(
        source,
        f"cannot fetch it {where}({asked}): {exc}; {had}. Fix: {fix}, or download the "
        "structure and give its file",
    )


def _keep(
    cache: StructureCache, key: str, data: bytes, meta: dict[str, Any], source: str, asked: str
) -> CachedCopy:
    """Keep the answer in the cache and return the copy; raises a `ReadError` located at
    ``source`` when the cache cannot be written."""
    try:
        return cache.put(key, data, meta)
    except (OSError, WriteError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ReadError(
            source,
            f"fetched ({asked}), but cannot keep it in the cache {cache.folder}: {reason}; "
            f"set {CACHE_ENV} to a folder that can be written",
        ) from None


def fetch(
    source: str,
    *,
    registry: str | None = None,
    offline: bool | None = None,
    refresh: bool | None = None,
    cache_dir: str | Path | None = None,
    timeout: float | None = None,
) -> FetchedStructure:
    """Fetch the structure ``source`` names (a URN or URL), or take its copy from the
    cache; see [`fetch_structure()`][cdinterop.sdmx.fetch_structure]."""
    options = _options(registry, offline, refresh, cache_dir, timeout)
    prepared, base, flow = _prepare(source, options.registry)
    cache = StructureCache(cache_folder(options.cache_dir))
    key = cache.key(prepared.url, ACCEPT)
    kept = cache.get(key)
    asked = f"GET {prepared.url}"
    if kept is not None and _copy_serves(options, key):
        return FetchedStructure(source, prepared.url, kept.path, base, flow, True)
    if options.offline:
        raise _offline_error(source, cache.folder, asked)
    try:
        data, content_type = download(prepared, source, options.timeout)
    except NetworkError as exc:
        raise _network_error(source, asked, exc, base, kept, cache.folder) from None
    meta = {
        "url": prepared.url,
        "source": source,
        "registry": base,
        "content_type": content_type,
        "cdinterop": __version__,
    }
    copy = _keep(cache, key, data, meta, source, asked)
    if options.refresh:
        _REFRESHED.add(key)
    _FETCHED_HERE.add(key)
    return FetchedStructure(source, prepared.url, copy.path, base, flow, False)


def _first(*values: bool | None) -> bool:
    """The first of ``values`` that is not ``None`` (``False`` when all are)."""
    return next((v for v in values if v is not None), False)


def fetch_structure(
    source: str,
    *,
    registry: str | None = None,
    offline: bool | None = None,
    refresh: bool | None = None,
    cache_dir: str | Path | None = None,
    timeout: float | None = None,
) -> Path:
    """Fetch the structure message an SDMX URN or SDMX REST URL names; return the path of
    its copy in the on-disk cache (the bytes as the registry sent them).

    A URN (of a DSD or dataflow) is asked of ``registry`` (default: the one
    [`registry_options()`][cdinterop.sdmx.registry_options] sets, else ``$CDINTEROP_REGISTRY``,
    else [`DEFAULT_REGISTRY`][cdinterop.sdmx.DEFAULT_REGISTRY]) with ``references=descendants``;
    a URL is fetched as given. A copy in the cache (``cache_dir/sdmx``, default
    ``$CDINTEROP_CACHE_DIR``, ``$XDG_CACHE_HOME/cdinterop`` or ``~/.cache/cdinterop``) is
    used as it is, unless ``refresh`` (then fetched again, once per process); ``offline``
    (default ``$CDINTEROP_OFFLINE``) uses the cache only. The answer may be at most the
    ``bytes`` limit ([`cdinterop.limits`][cdinterop.limits]) and must come within
    ``timeout`` seconds per part (30 by default).

    Raises [`ReadError`][cdinterop.errors.ReadError] naming the URN or URL, the request and
    registry, the reason (no connection, a timeout, an HTTP status) and whether the cache
    has a copy, with the fix.
    """
    return fetch(
        source,
        registry=registry,
        offline=offline,
        refresh=refresh,
        cache_dir=cache_dir,
        timeout=timeout,
    ).path


_S = TypeVar("_S")
_T = TypeVar("_T")


def read_remote(source: _S, read: Callable[[_S | Path, str | None], _T]) -> _T:
    """``read(source, None)`` for a file; for a URN or URL, ``read(copy, dataflow)`` with the
    fetched copy and the dataflow the URN or URL names, its errors located at the URN or
    URL. An answer fetched by this process that the reader refuses is dropped from the
    cache."""
    if not is_remote(source):
        return read(source, None)
    assert isinstance(source, str)
    fetched = fetch(source)
    key = fetched.path.stem
    fresh = key in _FETCHED_HERE
    _FETCHED_HERE.discard(key)
    try:
        return read(fetched.path, fetched.dataflow)
    except ReadError as exc:
        if fresh:
            StructureCache(fetched.path.parent).drop(key)
        kept = "not kept in the cache" if fresh else f"the copy in the cache {fetched.path}"
        raise ReadError(source, f"{exc.reason} (the answer to GET {fetched.url}; {kept})") from None
    except InvalidDatasetError:
        if fresh:
            StructureCache(fetched.path.parent).drop(key)
        raise

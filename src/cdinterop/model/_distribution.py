"""Distributions: the files in which a data set is published (``dcat:Distribution``).

A distribution names where a file can be fetched, its format (a code of the EU file-type
authority table, e.g. ``SDMX``, ``CSV``, ``ZIP``) and IANA media type where the publisher
gives them, and, for a file that exists, its size and checksum (`Distribution.of_file()`).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import AnyUrl, Field

from cdinterop.model._base import LocalId, Model, MultilingualText, SpdxLicenceId
from cdinterop.model._provenance import Checksum, ChecksumAlgorithm

__all__ = ["Availability", "Distribution"]

MEDIA_TYPE_PATTERN = r"^[a-z]+/[A-Za-z0-9.+\-]+$"
"""An IANA media type without parameters, e.g. ``application/xml``."""


class Availability(StrEnum):
    """How long a distribution is planned to stay available (EU planned-availability
    authority table)."""

    TEMPORARY = "temporary"
    EXPERIMENTAL = "experimental"
    AVAILABLE = "available"
    STABLE = "stable"


class Distribution(Model):
    """A published file of the data set (``dcat:Distribution``)."""

    id: LocalId
    """Identifier of the distribution within the data set."""
    title: MultilingualText | None = None
    """Title, e.g. ``{"en": "SDMX-ML 2.1 structure-specific data"}``."""
    description: MultilingualText | None = None
    """What the file holds and how to use it."""
    access_url: AnyUrl
    """Where the file, or a page leading to it, can be reached (``dcat:accessURL``)."""
    download_url: AnyUrl | None = None
    """Direct link to the file (``dcat:downloadURL``)."""
    format: str | None = Field(
        default=None, pattern=r"^[A-Z][A-Z0-9_]*$", examples=["SDMX", "CSV", "ZIP"]
    )
    """File type: a code of the EU file-type authority table; ``None`` when the publisher
    names none (DCAT-AP recommends a format but does not require one)."""
    media_type: str | None = Field(
        default=None, pattern=MEDIA_TYPE_PATTERN, examples=["application/xml"]
    )
    """IANA media type of the file; ``None`` when the publisher names none (an API or a
    web page, say)."""
    byte_size: int | None = Field(default=None, ge=0)
    """Size of the file in bytes."""
    checksum: Checksum | None = None
    """Checksum of the file's bytes."""
    licence: SpdxLicenceId | None = None
    """Licence of the file (SPDX id); usually the data set's."""
    conforms_to: tuple[AnyUrl, ...] = ()
    """Standards or schemas the file follows, e.g. the SDMX structure or Table Schema."""
    availability: Availability | None = None
    """How long the file is planned to stay available."""

    @classmethod
    def of_file(
        cls,
        path: str | Path,
        *,
        id: str,
        access_url: str,
        format: str | None,
        media_type: str | None,
        algorithm: ChecksumAlgorithm = ChecksumAlgorithm.SHA256,
        **fields: object,
    ) -> Distribution:
        """Describe an existing file: its byte size and checksum are measured; the other
        fields are given. ``download_url`` defaults to ``access_url``."""
        file = Path(path)
        fields.setdefault("download_url", access_url)
        return cls.model_validate(
            {
                "id": id,
                "access_url": access_url,
                "format": format,
                "media_type": media_type,
                "byte_size": file.stat().st_size,
                "checksum": Checksum.of_file(file, algorithm),
                **fields,
            }
        )

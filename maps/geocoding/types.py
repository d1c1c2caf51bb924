"""Value types shared by every geocoder backend: a place, its precision and where it came from."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, runtime_checkable

# How finely a location is known. The map draws a point for "point" and a shaded area for the
# coarser ones, so investigators never read a state centroid as an address.
PRECISION_POINT = "point"
PRECISION_NEIGHBOURHOOD = "neighbourhood"
PRECISION_CITY = "city"
PRECISION_REGION = "region"
PRECISION_AREA_CODE = "area_code"
PRECISION_COUNTRY = "country"
PRECISION_UNKNOWN = "unknown"
PRECISIONS = (
    PRECISION_POINT,
    PRECISION_NEIGHBOURHOOD,
    PRECISION_CITY,
    PRECISION_REGION,
    PRECISION_AREA_CODE,
    PRECISION_COUNTRY,
    PRECISION_UNKNOWN,
)

SOURCE_GAZETTEER = "gazetteer"
SOURCE_NOMINATIM = "nominatim"
SOURCE_PHOTON = "photon"
SOURCE_AREA_CODE = "area_code"
SOURCE_DEFAULT = "source_default"
SOURCE_URL = "url"
SOURCES = (
    SOURCE_GAZETTEER,
    SOURCE_NOMINATIM,
    SOURCE_PHOTON,
    SOURCE_AREA_CODE,
    SOURCE_DEFAULT,
    SOURCE_URL,
)


class GeocoderUnavailableError(RuntimeError):
    """A remote geocoder could not answer (timeout, refused, HTTP error).

    Raised rather than returning "unknown" so a Celery task can retry and so a transient outage
    is never cached as "this place does not exist".
    """

    # The pipeline retries the stage later instead of failing the ads (ads/pipeline.py).
    stage_unavailable = True


@dataclass(frozen=True)
class Location:
    """One resolved place with how precise it is, where it came from and how sure we are."""

    lat: float | None
    lng: float | None
    precision: str
    name: str
    source: str
    country: str = ""
    admin1: str = ""
    confidence: float = 0.0
    note: str = ""
    # The rule that decided, in one sentence ("Used the first place named, Long Beach, CA, US.").
    rule: str = ""

    def __post_init__(self) -> None:
        if self.precision not in PRECISIONS:
            raise ValueError(f"unknown precision {self.precision!r}")
        if (self.lat is None) != (self.lng is None):
            raise ValueError("lat and lng must both be set or both be None")

    @property
    def has_coordinates(self) -> bool:
        return self.lat is not None and self.lng is not None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Location:
        return cls(
            lat=data.get("lat"),
            lng=data.get("lng"),
            precision=data["precision"],
            name=data.get("name", ""),
            source=data.get("source", ""),
            country=data.get("country", ""),
            admin1=data.get("admin1", ""),
            confidence=float(data.get("confidence", 0.0)),
            note=data.get("note", ""),
            rule=data.get("rule", ""),
        )

    @classmethod
    def unknown(cls, *, source: str = SOURCE_GAZETTEER, note: str = "", rule: str = "") -> Location:
        return cls(
            lat=None,
            lng=None,
            precision=PRECISION_UNKNOWN,
            name="",
            source=source,
            confidence=0.0,
            note=note,
            rule=rule or "No place named.",
        )


@dataclass(frozen=True)
class PhoneLocation:
    """Where a phone number's area code is registered; a cue, never where the phone is."""

    phone: str
    location: Location

    def to_json(self) -> dict[str, Any]:
        return {"phone": self.phone, "location": self.location.to_json()}


@dataclass(frozen=True)
class AdLocation:
    """Everything geocoding says about one ad: where it was posted, its phones' area codes, cues."""

    posting: Location
    phones: tuple[PhoneLocation, ...] = ()
    travel_cues: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    geocoder_version: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "posting": self.posting.to_json(),
            "phones": [p.to_json() for p in self.phones],
            "travel_cues": [dict(c) for c in self.travel_cues],
            "geocoder_version": self.geocoder_version,
        }


@runtime_checkable
class Geocoder(Protocol):
    """Anything that turns an ad's free-text location into a Location.

    `version` changes whenever the same input could give a different answer (new data, new
    rules), so stored results can record it and a re-run can skip ads already done with it.
    """

    version: str

    def geocode(
        self, text: str, *, country: str | None = None, url: str = "", hints: tuple = ()
    ) -> Location: ...

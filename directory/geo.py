"""Distances and geocoding. geopy lives here and nowhere else.

Distance queries filter a latitude/longitude bounding box on indexed columns first, then compute the
great-circle distance in SQL (spherical law of cosines, ACOS argument clamped to [-1, 1]).
"""

import math
import unicodedata

from django.db.models import F, FloatField, Value
from django.db.models.functions import ACos, Cos, Greatest, Least, Radians, Sin
from geopy.distance import geodesic
from geopy.geocoders.base import Geocoder
from geopy.location import Location

EARTH_RADIUS_KM = 6371.0088
# On the sphere the distance is computed on, so the box always holds the whole circle.
KM_PER_DEGREE_LATITUDE = math.pi * EARTH_RADIUS_KM / 180


def bounding_box(latitude: float, longitude: float, radius_km: float):
    """(south, north, west, east) of a box that holds every point within radius_km."""
    dlat = radius_km / KM_PER_DEGREE_LATITUDE
    cos_lat = max(math.cos(math.radians(latitude)), 1e-6)
    dlon = min(radius_km / (KM_PER_DEGREE_LATITUDE * cos_lat), 180.0)
    return latitude - dlat, latitude + dlat, longitude - dlon, longitude + dlon


def distance_km_expression(latitude: float, longitude: float):
    """SQL expression: km from the given point to each row's latitude/longitude."""
    lat, lon = Value(math.radians(latitude)), Value(math.radians(longitude))
    cosine = Cos(lat) * Cos(Radians(F("latitude"))) * Cos(Radians(F("longitude")) - lon) + Sin(lat) * Sin(
        Radians(F("latitude"))
    )
    clamped = Greatest(Least(cosine, Value(1.0)), Value(-1.0))
    return ACos(clamped, output_field=FloatField()) * Value(EARTH_RADIUS_KM)


def within_radius(queryset, latitude: float, longitude: float, radius_km: float):
    """Rows within radius_km of the point, annotated with distance_km."""
    south, north, west, east = bounding_box(latitude, longitude, radius_km)
    return (
        queryset.filter(latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east)
        .annotate(distance_km=distance_km_expression(latitude, longitude))
        .filter(distance_km__lte=radius_km)
    )


def display_distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The distance to show a person (geodesic on the WGS-84 ellipsoid)."""
    return geodesic(a, b).km


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


class MunicipalityGeocoder(Geocoder):
    """Offline geocoder: a prefecture or municipality name or code, or an address starting with one,
    resolves to the municipality's (or prefecture's) point from our own tables. No network."""

    def __init__(self):
        super().__init__()

    def geocode(self, query, *, exactly_one=True, timeout=None):
        from directory.models import Municipality, Prefecture

        text = _fold(str(query or ""))
        if not text:
            return None
        found = None
        if text.isdigit() and len(text) == 6:
            found = Municipality.objects.filter(code=text).select_related("prefecture").first()
        elif text.isdigit() and len(text) == 2:
            found = Prefecture.objects.filter(code=text).first()
        else:
            found = self._by_name(text, Municipality, Prefecture)
        if found is None or found.latitude is None:
            return None
        location = Location(self._label(found), (found.latitude, found.longitude), {"code": found.code})
        return location if exactly_one else [location]

    @staticmethod
    def _label(place):
        return getattr(place, "full_name", None) or place.name

    @staticmethod
    def _by_name(text, Municipality, Prefecture):
        prefecture = next((p for p in Prefecture.objects.all() if text.startswith(p.name)), None)
        rest = text[len(prefecture.name) :] if prefecture else text
        candidates = Municipality.objects.select_related("prefecture")
        if prefecture:
            candidates = candidates.filter(prefecture=prefecture)
        # The longest name that starts the rest of the address: 長野市 before 長野, a ward before its city.
        matches = [m for m in candidates.filter(name__startswith=rest[:1]) if rest.startswith(_fold(m.name))]
        if not matches and not prefecture:
            return None
        if not matches:
            return prefecture
        return max(matches, key=lambda m: len(_fold(m.name)))

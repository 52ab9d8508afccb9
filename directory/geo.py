"""Distances and geocoding. geopy lives here and nowhere else.

Distance queries narrow the rows first on an indexed grid cell (0.1° × 0.1°, about 11 × 9 km in Japan),
one index range per row of cells the bounding box touches, then on the box itself, then compute the
great-circle distance in SQL (spherical law of cosines, ACOS argument clamped to [-1, 1]). A latitude
index alone would read a band across the whole country.
"""

import math
import unicodedata

from django.db.models import F, FloatField, Q, Value
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


CELLS_PER_DEGREE = 10
CELLS_AROUND = 360 * CELLS_PER_DEGREE


def grid_cell(latitude: float | None, longitude: float | None) -> int | None:
    """The number of the 0.1° grid cell a point stands in (rows of cells from the south pole)."""
    if latitude is None or longitude is None:
        return None
    row = min(math.floor((latitude + 90) * CELLS_PER_DEGREE), 180 * CELLS_PER_DEGREE - 1)
    column = min(math.floor((longitude + 180) * CELLS_PER_DEGREE), CELLS_AROUND - 1)
    return row * CELLS_AROUND + column


def grid_cell_ranges(south: float, north: float, west: float, east: float) -> list[tuple[int, int]]:
    """(first, last) cell numbers, one range per row of cells, that cover the box."""
    south_west, north_east = (
        grid_cell(max(south, -90), max(west, -180)),
        grid_cell(min(north, 90), min(east, 180)),
    )
    first_row, first_column = divmod(south_west, CELLS_AROUND)
    last_row, last_column = divmod(north_east, CELLS_AROUND)
    return [
        (row * CELLS_AROUND + first_column, row * CELLS_AROUND + last_column)
        for row in range(first_row, last_row + 1)
    ]


def within_radius(queryset, latitude: float, longitude: float, radius_km: float):
    """Rows within radius_km of the point, annotated with distance_km."""
    south, north, west, east = bounding_box(latitude, longitude, radius_km)
    in_cells = Q()
    for first, last in grid_cell_ranges(south, north, west, east):
        in_cells |= Q(geo_cell__range=(first, last))
    return (
        queryset.filter(in_cells)
        .filter(latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east)
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

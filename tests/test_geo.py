import math

import pytest

from directory import geo, services
from directory.models import Resource
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("latitude", "longitude", "radius_km"),
    [(36.6486, 138.1944, 5), (35.6895, 139.6917, 100), (43.06, 141.35, 0.1), (24.34, 124.15, 30)],
)
def test_the_grid_cells_of_a_box_hold_every_point_of_its_circle(latitude, longitude, radius_km):
    ranges = geo.grid_cell_ranges(*geo.bounding_box(latitude, longitude, radius_km))
    for bearing in range(0, 360, 15):
        dlat = radius_km / geo.KM_PER_DEGREE_LATITUDE * math.cos(math.radians(bearing))
        dlon = (
            radius_km
            / (geo.KM_PER_DEGREE_LATITUDE * math.cos(math.radians(latitude)))
            * math.sin(math.radians(bearing))
        )
        cell = geo.grid_cell(latitude + dlat * 0.999, longitude + dlon * 0.999)
        assert any(first <= cell <= last for first, last in ranges), bearing


def test_a_resource_is_found_near_its_point_and_its_grid_cell_follows_a_move():
    resource = factories.ResourceFactory(latitude=36.6486, longitude=138.1944)
    assert resource.geo_cell == geo.grid_cell(36.6486, 138.1944)
    services.resource_update(resource=resource, latitude=35.6895, longitude=139.6917)
    assert list(geo.within_radius(Resource.objects.all(), 35.69, 139.69, 1)) == [resource]
    assert list(geo.within_radius(Resource.objects.all(), 36.6486, 138.1944, 50)) == []


def test_the_offline_geocoder_reads_names_codes_and_addresses_from_the_municipality_table():
    nagano = factories.MunicipalityFactory(code="202011", name="長野市", latitude=36.6486, longitude=138.1944)
    geocoder = geo.MunicipalityGeocoder()
    for query in ["長野市", "長野県長野市大字鶴賀1234", "202011", "長野市 鶴賀"]:
        location = geocoder.geocode(query)
        assert (location.latitude, location.longitude) == (nagano.latitude, nagano.longitude), query
    assert geocoder.geocode("20").address == "長野県"
    assert geocoder.geocode("どこでもない町") is None

"""Resource rows as map markers: a pin and its popup (directory.facts says what; pins.js draws it as text)."""

from django.utils import formats
from django.utils.translation import gettext as _

from directory import selectors
from directory.facts import FactWriter
from mapviews.maps import Marker


def resource_markers(resources, *, numbered=0):
    """The markers of the resources that have a point, in their order; the first `numbered` carry numbers
    1, 2, … as the list beside the map does. Resources come with selectors.card_rows' joins."""
    groups = selectors.category_roots()
    writer = FactWriter()
    markers = []
    for resource in resources:
        if not resource.has_point:
            continue
        number = len(markers) + 1 if len(markers) < numbered else None
        markers.append(
            Marker(
                latitude=resource.latitude,
                longitude=resource.longitude,
                title=resource.name,
                url=resource.get_absolute_url(),
                group=groups.get(resource.primary_category_id, "default"),
                number=number,
                subtitle=subtitle(resource),
                lines=tuple((fact.label, fact.text, fact.link) for fact in writer.facts(resource)),
            )
        )
    return markers


def subtitle(resource):
    parts = [str(resource.primary_category)]
    if resource.municipality:
        parts.append(str(resource.municipality))
    if getattr(resource, "distance_km", None) is not None:
        parts.append(_("%(km)s km") % {"km": formats.number_format(resource.distance_km, 1)})
    return "・".join(parts)

"""Resources on a map: a search's rows as pins (five values each, read in one query however many), and what
one resource's popup and its line in the list beside the map say (directory.facts says what; pins.js draws
it as text)."""

from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _

from directory import selectors
from directory.facts import FactWriter
from mapviews.maps import Pin

PIN_COLUMNS = ("pk", "latitude", "longitude", "primary_category_id", "name")


def resource_pins(resources, *, limit=None):
    """The pins of the first `limit` resources that have a point, in their order, from one query of five
    columns (and the distance when the search measured one)."""
    groups = selectors.category_roots()
    measured = "distance_km" in resources.query.annotations
    # A row has both coordinates or neither (a constraint of Resource).
    located = resources.exclude(latitude=None)
    rows = located.values_list(*PIN_COLUMNS, *(["distance_km"] if measured else []))[:limit]
    return [
        Pin(
            latitude,
            longitude,
            name,
            group=groups.get(category_id, "default"),
            key=pk,
            note=distance_text(distance[0]) if distance else "",
        )
        for pk, latitude, longitude, category_id, name, *distance in rows
    ]


@dataclass(frozen=True)
class PinCard:
    """What a pin's popup and its line in the list beside the map show of one resource (its colour and
    number are its pin's)."""

    key: int  # the resource's id, as its pin's
    title: str
    url: str
    subtitle: str  # category, town (and distance)
    lines: tuple  # (label, text, link or "")

    def as_popup(self):
        return {"title": self.title, "url": self.url, "subtitle": self.subtitle, "lines": self.lines}


def pin_cards(resources):
    """The cards of the resources, in their order; resources come with selectors.card_rows' joins."""
    writer = FactWriter()
    return [
        PinCard(
            key=resource.pk,
            title=resource.name,
            url=resource.get_absolute_url(),
            subtitle=subtitle(resource),
            lines=tuple((fact.label, fact.text, fact.link) for fact in writer.facts(resource)),
        )
        for resource in resources
    ]


def subtitle(resource):
    parts = [str(resource.primary_category)]
    if resource.municipality:
        parts.append(str(resource.municipality))
    if getattr(resource, "distance_km", None) is not None:
        parts.append(distance_text(resource.distance_km))
    return "・".join(parts)


def distance_text(km):
    return _("%(km)s km") % {"km": formats.number_format(km, 1)}

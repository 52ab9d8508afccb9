"""Resource rows as map markers: the popup is a Django template, so everything in it is escaped."""

from django.template.loader import render_to_string

from mapviews.builder import Marker


def resource_markers(resources):
    """The markers of the resources that have a point, in their order."""
    return [
        Marker(
            latitude=resource.latitude,
            longitude=resource.longitude,
            title=resource.name,
            popup_html=render_to_string("mapviews/popup.html", {"resource": resource}),
            style=resource.kind,  # formal or informal: 事業所など or 地域の支え, told apart by colour
        )
        for resource in resources
        if resource.has_point
    ]

"""The HSDA `Page` envelope: total_items, total_pages, page_number, size, first_page, last_page, empty and the
page's contents. Pages start at 1; a page past the last is empty rather than an error."""

import math

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.response import Response


class Concatenation:
    """Two querysets read as one sequence, the rows of the first and then those of the second, so that one
    page may hold the end of one and the start of the other."""

    def __init__(self, first, second):
        self.first, self.second = first, second
        self._first_count = None

    def count(self):
        self._first_count = self.first.count()
        return self._first_count + self.second.count()

    def __getitem__(self, window: slice):
        split = self._first_count  # counted first, as every paginator does
        rows = list(self.first[window.start : min(window.stop, split)]) if window.start < split else []
        if window.stop > split:
            rows += self.second[max(window.start - split, 0) : window.stop - split]
        return rows


def page_response(rows, params, to_dict) -> Response:
    """One page of `rows` (a queryset, a Concatenation or a list), each shaped by `to_dict`."""
    page, per_page = params["page"], params["per_page"]
    total = len(rows) if isinstance(rows, list) else rows.count()
    start = (page - 1) * per_page
    contents = [to_dict(row) for row in rows[start : start + per_page]] if start < total else []
    total_pages = math.ceil(total / per_page)
    return Response(
        {
            "total_items": total,
            "total_pages": total_pages,
            "page_number": page,
            "size": len(contents),
            "first_page": page == 1,
            "last_page": page >= total_pages,
            "empty": not contents,
            "contents": contents,
        }
    )


def page_schema(name, description):
    """The OpenAPI description of a Page whose contents are the objects `description` names."""
    return inline_serializer(
        name=name,
        fields={
            "total_items": serializers.IntegerField(),
            "total_pages": serializers.IntegerField(),
            "page_number": serializers.IntegerField(),
            "size": serializers.IntegerField(help_text="the number of objects on this page"),
            "first_page": serializers.BooleanField(),
            "last_page": serializers.BooleanField(),
            "empty": serializers.BooleanField(),
            "contents": serializers.ListField(child=serializers.DictField(), help_text=description),
        },
    )

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from directory.pagination import SearchPaginator


class StandardPagination(PageNumberPagination):
    """Page numbers, `page_size` up to 100, and `count_is_exact` (false when more than 10,000 rows match:
    `count` is then 10,000 and pages end there; narrow the search or use ?format=csv for every row)."""

    django_paginator_class = SearchPaginator
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        """`page_size` from 1 to 100; anything else is a 400 naming it (DRF would quietly clamp it or fall
        back to the default, and the client would read fewer rows than it asked for)."""
        text = request.query_params.get(self.page_size_query_param, "")
        if text == "":
            return self.page_size
        if not (text.isascii() and text.isdigit() and 1 <= int(text) <= self.max_page_size):
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("1 から %(max)d までの整数で指定してください。") % {"max": self.max_page_size}
                    ]
                }
            )
        return int(text)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_is_exact"] = self.page.paginator.count_is_exact
        return response

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_is_exact"] = {
            "type": "boolean",
            "description": "false when more rows match than are counted (count is then a lower bound)",
        }
        return schema

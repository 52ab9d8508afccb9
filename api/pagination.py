from rest_framework.pagination import PageNumberPagination

from directory.pagination import SearchPaginator


class StandardPagination(PageNumberPagination):
    """Page numbers, `page_size` up to 100, and `count_is_exact` (false when more than 10,000 rows match:
    `count` is then 10,000 and pages end there; narrow the search or use ?format=csv for every row)."""

    django_paginator_class = SearchPaginator
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_is_exact"] = self.page.paginator.count_is_exact
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_is_exact"] = {
            "type": "boolean",
            "description": "false when more rows match than are counted (count is then a lower bound)",
        }
        return schema

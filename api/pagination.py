from rest_framework.pagination import PageNumberPagination

from directory.pagination import SearchPaginator


class StandardPagination(PageNumberPagination):
    django_paginator_class = SearchPaginator
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

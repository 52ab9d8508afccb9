from django.core.paginator import Paginator


class SearchPaginator(Paginator):
    """A Paginator that spares the COUNT query when the first page holds every row.

    The first page is read one row long: when that extra row is not there, the rows read are the count.
    Specific searches (a category in a town, a need near home) mostly end on their first page."""

    def page(self, number):
        if "count" in self.__dict__ or str(number) != "1":
            return super().page(number)
        rows = list(self.object_list[: self.per_page + 1])
        if len(rows) <= self.per_page:
            self.__dict__["count"] = len(rows)  # what the cached `count` property would have computed
        return self._get_page(rows[: self.per_page], 1, self)

from django.core.paginator import Paginator
from django.utils.functional import cached_property

# Results are counted exactly up to this many; past it a search says "10,000+" and pages stop at
# COUNT_LIMIT / per_page. Nobody reads that far, and an exact count of a million rows would cost more
# than the search itself. Exports (CSV, GeoJSON) are not paginated and give every row.
COUNT_LIMIT = 10_000


class SearchPaginator(Paginator):
    """A Paginator for search results.

    - The first page is read one row long: when that extra row is not there, the rows read are the count
      and no COUNT query runs. Specific searches (a category in a town, a need near home) mostly end on
      their first page.
    - Otherwise rows are counted up to COUNT_LIMIT, without ordering, so the database stops early;
      `count_is_exact` says whether the count reached the limit."""

    _more_than_counted = False

    @cached_property
    def count(self):
        counted = self.object_list.order_by()[: COUNT_LIMIT + 1].count()
        self._more_than_counted = counted > COUNT_LIMIT
        return min(counted, COUNT_LIMIT)

    @property
    def count_is_exact(self):
        return self.count is not None and not self._more_than_counted

    def page(self, number):
        if "count" in self.__dict__ or str(number) != "1":
            return super().page(number)
        rows = list(self.object_list[: self.per_page + 1])
        if len(rows) <= self.per_page:
            self.__dict__["count"] = len(rows)  # what the cached `count` property would have computed
        return self._get_page(rows[: self.per_page], 1, self)

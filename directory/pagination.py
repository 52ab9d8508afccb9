from django.core.paginator import Paginator
from django.utils.functional import cached_property

# Results are counted exactly up to this many; past it a search says "10,000+" and pages stop at
# COUNT_LIMIT / per_page. Nobody reads that far, and an exact count of a million rows would cost more
# than the search itself. Exports (CSV, GeoJSON) are not paginated and give every row.
COUNT_LIMIT = 10_000
FIRST_PAGE_IDS = 1_000


class SearchPaginator(Paginator):
    """A Paginator for search results.

    - The first page reads the ids of up to FIRST_PAGE_IDS rows (an id is cheap; the page's sort has
      read the candidates anyway): when fewer match, their number is the count and no COUNT query runs.
      Specific searches (a category in a town, a need near home) mostly match fewer.
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
            number = self.validate_number(number)
            bottom = (number - 1) * self.per_page
            return self._get_page(self._rows(self._ids(bottom, bottom + self.per_page)), number, self)
        found = self._ids(0, max(FIRST_PAGE_IDS, self.per_page) + 1)
        if len(found) <= max(FIRST_PAGE_IDS, self.per_page):
            self.__dict__["count"] = len(found)  # what the cached `count` property would have computed
        return self._get_page(self._rows(found[: self.per_page]), 1, self)

    # A slice is read in two steps: the ids (and annotations such as distance_km) in order, from the
    # indexes, then the rows themselves by primary key with the same joins and prefetches. Sorting whole
    # rows (by distance, say) would read every candidate row; re-running the filters for the second step
    # would search twice.

    def _ids(self, bottom, top):
        listed = self.object_list.prefetch_related(None)
        return list(listed.values_list("pk", *listed.query.annotations)[bottom:top])

    def _rows(self, found):
        names = list(self.object_list.query.annotations)
        by_id = self.object_list.model._default_manager.prefetch_related(
            *self.object_list._prefetch_related_lookups
        )
        by_id.query.select_related = self.object_list.query.select_related
        rows = by_id.in_bulk([pk for pk, *_values in found])
        for pk, *values in found:
            for name, value in zip(names, values, strict=True):
                setattr(rows[pk], name, value)
        return [rows[pk] for pk, *_values in found]


def without_page(query):
    """A query string (QueryDict) as a link keeps it for another view of the same search: without its page."""
    query = query.copy()
    query.pop("page", None)
    return query.urlencode()

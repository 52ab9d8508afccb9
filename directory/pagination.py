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
            number = self.validate_number(number)
            bottom = (number - 1) * self.per_page
            return self._get_page(self._rows(bottom, bottom + self.per_page), number, self)
        rows = self._rows(0, self.per_page + 1)
        if len(rows) <= self.per_page:
            self.__dict__["count"] = len(rows)  # what the cached `count` property would have computed
        return self._get_page(rows[: self.per_page], 1, self)

    def _rows(self, bottom, top):
        """The rows of one slice in two steps: their ids (and annotations such as distance_km) in order,
        read from the indexes, then the rows themselves by primary key with the same joins and prefetches.
        Sorting whole rows (by distance, say) would read every candidate row; re-running the filters for
        the second step would search twice."""
        listed = self.object_list.prefetch_related(None)
        names = list(listed.query.annotations)
        found = list(listed.values_list("pk", *names)[bottom:top])
        by_id = self.object_list.model._default_manager.prefetch_related(
            *self.object_list._prefetch_related_lookups
        )
        by_id.query.select_related = self.object_list.query.select_related
        rows = by_id.in_bulk([pk for pk, *_values in found])
        for pk, *values in found:
            for name, value in zip(names, values, strict=True):
                setattr(rows[pk], name, value)
        return [rows[pk] for pk, *_values in found]

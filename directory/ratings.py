"""Rating aggregates: a smoothed (Bayesian) mean toward the category's mean, with counts.

Over the current ratings (those given or confirmed within RATING_WINDOW_MONTHS, `Rating.objects.current()`),
for a resource r of primary category c and one criterion (or the overall score, each rating's mean of the
criteria it scored):

    prior_c  = (m·G + S_c) / (m + N_c)    the category's mean, itself pulled toward the mean G of all ratings
    smoothed = (m·prior_c + S_r) / (m + n_r)

where S and N are the sum and number of scores, and m = PRIOR_WEIGHT pseudo-ratings. One 5 among 3s does
not top the list: it moves the entry a quarter of the way from its category's mean. The same formula is
computed in SQL for ordering and filtering (`rating_annotations`) and in Python for a page
(`rating_summary`); tests/test_ratings.py checks they agree.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import (
    Avg,
    Case,
    Count,
    ExpressionWrapper,
    FloatField,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual

from directory.choices import RatingCriterion
from directory.models import Rating

PRIOR_WEIGHT = 3
NEUTRAL = 3.0  # the middle of the scale: the global mean while nobody has rated anything


def smoothed(total, n, prior_total, prior_n, global_mean, m=PRIOR_WEIGHT):
    prior = (m * global_mean + prior_total) / (m + prior_n)
    return (m * prior + total) / (m + n)


def public_minimum(public):
    return settings.RATING_PUBLIC_MIN_RATERS if public else 1


def global_means(now=None):
    """{criterion or "score": the mean of every current rating}, NEUTRAL where none."""
    names = [*RatingCriterion.values, "score"]
    means = Rating.objects.current(now).aggregate(**{name: Avg(name) for name in names})
    return {name: NEUTRAL if value is None else value for name, value in means.items()}


def rating_annotations(*, public, now=None):
    """`rating_count` and `rating` (the smoothed overall score; None below the public minimum of raters
    for the public, None without ratings for professionals) as query expressions."""
    current = Rating.objects.current(now).order_by()
    own = current.filter(resource=OuterRef("pk")).values("resource")
    category = current.filter(resource__primary_category=OuterRef("primary_category")).values(
        "resource__primary_category"
    )

    def subquery(rows, aggregate, default):
        return Coalesce(Subquery(rows.annotate(value=aggregate).values("value")), default)

    n = subquery(own, Count("pk"), 0)
    total = subquery(own, Sum("score"), 0.0)
    m = float(PRIOR_WEIGHT)
    prior = ExpressionWrapper(
        (Value(m * global_means(now)["score"]) + subquery(category, Sum("score"), 0.0))
        / (Value(m) + subquery(category, Count("pk"), 0)),
        output_field=FloatField(),
    )
    score = ExpressionWrapper((Value(m) * prior + total) / (Value(m) + n), output_field=FloatField())
    # One annotate() cannot refer to its siblings: the count's expression is written out again.
    rating = Case(
        When(GreaterThanOrEqual(n, public_minimum(public)), then=score),
        default=None,
        output_field=FloatField(),
    )
    return {"rating_count": n, "rating": rating}


@dataclass
class CriterionSummary:
    criterion: RatingCriterion
    count: int
    mean: float | None  # the plain mean, for professionals
    smoothed: float | None  # None when hidden (too few for the public) or unrated

    @property
    def label(self):
        return self.criterion.label


@dataclass
class RatingSummary:
    count: int  # professionals whose current rating counts
    smoothed: float | None
    latest: object  # when the newest counted rating was given
    based_on_use: int  # how many say they worked with the resource
    criteria: list[CriterionSummary] = field(default_factory=list)
    shown: bool = True  # False for the public below RATING_PUBLIC_MIN_RATERS: no figure at all
    minimum: int = 1


def rating_summary(resource, *, public, now=None) -> RatingSummary:
    """The aggregate a viewer may see of a resource's current ratings: professionals any count, the public
    only when at least RATING_PUBLIC_MIN_RATERS rated (and a criterion only when that many scored it)."""
    minimum = public_minimum(public)
    ratings = list(Rating.objects.current(now).filter(resource=resource).order_by("-updated_at"))
    summary = RatingSummary(
        count=len(ratings),
        smoothed=None,
        latest=ratings[0].updated_at if ratings else None,
        based_on_use=sum(rating.based_on_use for rating in ratings),
        shown=len(ratings) >= minimum,
        minimum=minimum,
    )
    if not summary.shown or not ratings:
        return summary
    names = [*RatingCriterion.values, "score"]
    means = global_means(now)
    in_category = Rating.objects.current(now).filter(resource__primary_category=resource.primary_category_id)
    category = in_category.aggregate(
        **{f"{name}_sum": Sum(name) for name in names}, **{f"{name}_n": Count(name) for name in names}
    )

    def figure(name):
        scores = [getattr(rating, name) for rating in ratings if getattr(rating, name) is not None]
        if not scores:
            return 0, None, None
        value = smoothed(
            sum(scores), len(scores), category[f"{name}_sum"] or 0, category[f"{name}_n"], means[name]
        )
        return len(scores), sum(scores) / len(scores), value

    summary.smoothed = figure("score")[2]
    for criterion in RatingCriterion:
        count, mean, value = figure(criterion.value)
        hidden = count < minimum
        summary.criteria.append(
            CriterionSummary(criterion, count, None if public else mean, None if hidden else value)
        )
    return summary


def rating_figures(resource_ids, *, public, now=None) -> dict:
    """{resource id: (rating, rating_count)} for a page of results, in one query."""
    from directory.models import Resource

    rows = Resource.objects.filter(pk__in=list(resource_ids)).with_rating(public=public, now=now)
    return {pk: (rating, count) for pk, rating, count in rows.values_list("pk", "rating", "rating_count")}

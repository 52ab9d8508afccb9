"""Ratings by professionals: one per user and resource with its history, who may rate, the smoothed
aggregates, and what the public sees (an aggregate only where at least 3 rated; never a comment)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from directory import rules, services
from directory.choices import RatingCriterion, Visibility
from directory.models import Rating, RatingReply, Resource
from directory.ratings import rating_summary
from tests import factories

pytestmark = pytest.mark.django_db

COMMENT = "送迎の調整がとても柔軟でした"


def rate(resource, user, **scores):
    scores = scores or {"procedure": 4, "expertise": 5}
    return services.rating_save(resource=resource, by=user, comment=COMMENT, **scores)


def rated_by(resource, count, **scores):
    raters = [factories.planner() for _ in range(count)]
    for rater in raters:
        rate(resource, rater, **scores)
    return raters


# --- the model and the service ----------------------------------------------------------------------


def test_a_second_rating_by_the_same_user_replaces_the_first_and_keeps_it_in_history():
    resource, planner = factories.ResourceFactory(), factories.planner()
    rate(resource, planner, procedure=2)
    rate(resource, planner, procedure=5, satisfaction=4)
    rating = Rating.objects.get(resource=resource, user=planner)
    assert (rating.procedure, rating.satisfaction, rating.score) == (5, 4, 4.5)
    assert Rating.objects.filter(resource=resource).count() == 1
    versions = list(rating.history.order_by("history_date").values_list("procedure", "history_user"))
    assert versions == [(2, planner.pk), (5, planner.pk)]


def test_the_database_refuses_a_second_rating_row_and_a_score_out_of_range():
    resource, planner = factories.ResourceFactory(), factories.planner()
    rate(resource, planner)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(resource=resource, user=planner, procedure=3, score=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(resource=resource, user=factories.planner(), expertise=6, score=6)


@pytest.mark.parametrize("scores", [{"procedure": 0}, {"expertise": 6}, {}])
def test_it_refuses_a_score_outside_1_to_5_or_no_score_at_all(scores):
    with pytest.raises(ValidationError):
        services.rating_save(resource=factories.ResourceFactory(), by=factories.planner(), **scores)
    assert not Rating.objects.exists()


def test_who_may_rate():
    organization = factories.OrganizationFactory()
    own = factories.ResourceFactory(organization=organization)
    other = factories.ResourceFactory()
    manager, planner, coordinator = (
        factories.service_manager(organization),
        factories.planner(),
        factories.coordinator(),
    )
    private = factories.ResourceFactory(visibility=Visibility.PRIVATE, owner=planner, organization=None)
    assert rules.may_rate(planner, other) and rules.may_rate(manager, other)
    assert not rules.may_rate(manager, own)  # never one's own organization's entry
    assert not rules.may_rate(coordinator, other)  # coordinators curate, they do not rate
    assert not rules.may_rate(factories.UserFactory(), other)  # no role
    assert not rules.may_rate(planner, private)
    with pytest.raises(PermissionDenied):
        rate(own, manager)


def test_the_provider_replies_once_and_cannot_change_a_rating():
    organization = factories.OrganizationFactory()
    resource = factories.ResourceFactory(organization=organization)
    manager = factories.service_manager(organization)
    rating = rate(resource, factories.planner(), procedure=1)
    services.rating_reply_save(resource=resource, by=manager, text="手続きを見直しました。")
    services.rating_reply_save(resource=resource, by=manager, text="書類を1枚にしました。")
    assert RatingReply.objects.get(resource=resource).text == "書類を1枚にしました。"
    assert RatingReply.objects.count() == 1
    with pytest.raises(PermissionDenied):  # a manager of another 法人
        services.rating_reply_save(
            resource=resource, by=factories.service_manager(factories.OrganizationFactory()), text="x"
        )
    with pytest.raises(PermissionDenied):  # rating their own entry is refused, so is changing another's
        services.rating_save(resource=resource, by=manager, procedure=5)
    rating.refresh_from_db()
    assert rating.procedure == 1


# --- the aggregates -----------------------------------------------------------------------------------


def test_one_rating_does_not_top_an_entry_rated_well_by_several():
    category_mates = [factories.ResourceFactory() for _ in range(3)]
    rated_by(category_mates[0], 4, procedure=5, expertise=5, flexibility=4)
    rate(category_mates[1], factories.planner(), procedure=5, expertise=5, flexibility=5)
    rated_by(category_mates[2], 3, procedure=3, expertise=3)  # the category's ordinary entry
    many, single = (rating_summary(r, public=False) for r in category_mates[:2])
    assert single.smoothed < many.smoothed
    assert 3 < single.smoothed < 5


def test_the_summary_and_the_ordering_compute_the_same_smoothed_rating():
    resources = [factories.ResourceFactory() for _ in range(3)]
    rated_by(resources[0], 3, procedure=5, satisfaction=3)
    rated_by(resources[1], 1, expertise=2)
    annotated = dict(
        Resource.objects.filter(pk__in=[r.pk for r in resources])
        .with_rating(public=False)
        .values_list("pk", "rating")
    )
    for resource in resources[:2]:
        assert annotated[resource.pk] == pytest.approx(rating_summary(resource, public=False).smoothed)
    assert annotated[resources[2].pk] is None


def test_per_criterion_figures_give_counts_means_and_the_latest_date():
    resource = factories.ResourceFactory()
    rated_by(resource, 3, procedure=4, expertise=2)
    rate(resource, factories.planner(), procedure=2)
    summary = rating_summary(resource, public=False)
    figures = {row.criterion: row for row in summary.criteria}
    assert summary.count == 4
    assert (figures[RatingCriterion.PROCEDURE].count, figures[RatingCriterion.PROCEDURE].mean) == (4, 3.5)
    assert (figures[RatingCriterion.EXPERTISE].count, figures[RatingCriterion.EXPERTISE].mean) == (3, 2.0)
    assert figures[RatingCriterion.FLEXIBILITY].count == 0
    assert figures[RatingCriterion.FLEXIBILITY].smoothed is None
    assert summary.latest == Rating.objects.latest("updated_at").updated_at


def test_ratings_older_than_the_window_no_longer_count(settings):
    settings.RATING_WINDOW_MONTHS = 36
    resource = factories.ResourceFactory()
    old, _recent = rated_by(resource, 2)
    Rating.objects.filter(user=old).update(updated_at=timezone.now() - timedelta(days=37 * 31))
    assert rating_summary(resource, public=False).count == 1
    rate(resource, old)  # confirming (saving again) brings it back
    assert rating_summary(resource, public=False).count == 2


# --- what the public sees (k ≥ 3) ---------------------------------------------------------------------


def test_the_public_sees_an_aggregate_only_where_three_professionals_rated(client):
    two, three = factories.ResourceFactory(), factories.ResourceFactory()
    rated_by(two, 2)
    rated_by(three, 3)
    assert not rating_summary(two, public=True).shown
    assert rating_summary(three, public=True).shown

    text = client.get(two.get_absolute_url()).text
    assert 'id="ratings-hidden"' in text
    assert "rating-table" not in text
    text = client.get(three.get_absolute_url()).text
    assert "3人が評価" in text
    assert "rating-table" in text


def test_the_public_sees_a_criterion_only_where_three_scored_it():
    resource = factories.ResourceFactory()
    rated_by(resource, 3, procedure=4)
    rate(resource, factories.planner(), procedure=4, flexibility=1)  # one lone score of 柔軟性
    figures = {row.criterion: row for row in rating_summary(resource, public=True).criteria}
    assert figures[RatingCriterion.PROCEDURE].smoothed is not None
    assert figures[RatingCriterion.FLEXIBILITY].smoothed is None
    assert all(row.mean is None for row in figures.values())  # no plain means for the public


def test_no_comment_reaches_the_public_in_the_page_or_the_api(client):
    resource = factories.ResourceFactory()
    rated_by(resource, 3)
    page = client.get(resource.get_absolute_url()).text
    detail = client.get(reverse("api:resource-detail", args=[resource.pk]))
    assert COMMENT not in page
    assert COMMENT not in detail.text
    assert detail.json()["rating"]["count"] == 3
    assert client.get(reverse("api:resource-ratings", args=[resource.pk])).status_code == 403


def test_professionals_see_comments_authors_and_figures_below_three(client):
    resource = factories.ResourceFactory()
    (rater,) = rated_by(resource, 1)
    viewer = factories.planner()
    client.force_login(viewer)
    page = client.get(resource.get_absolute_url()).text
    assert COMMENT in page
    assert rater.get_username() in page
    assert "1人が評価" in page
    api = client.get(reverse("api:resource-ratings", args=[resource.pk])).json()
    assert [(row["comment"], row["user"]) for row in api] == [(COMMENT, rater.get_username())]
    assert client.get(reverse("api:resource-detail", args=[resource.pk])).json()["rating"]["count"] == 1


def test_the_api_gives_the_public_no_aggregate_below_three(client):
    resource = factories.ResourceFactory()
    rated_by(resource, 2)
    assert client.get(reverse("api:resource-detail", args=[resource.pk])).json()["rating"] is None


# --- the form on the entry page -------------------------------------------------------------------------


def test_a_planner_rates_from_the_entry_page_and_edits_the_rating_later(client):
    resource = factories.ResourceFactory()
    planner = factories.planner()
    client.force_login(planner)
    page = client.get(resource.get_absolute_url()).text
    assert 'id="rate"' in page
    url = reverse("directory:resource-rate", args=[resource.pk])
    response = client.post(url, {"procedure": "4", "expertise": "", "comment": "丁寧", "based_on_use": "on"})
    assert response.status_code == 302
    rating = Rating.objects.get(resource=resource, user=planner)
    assert (rating.procedure, rating.expertise, rating.based_on_use) == (4, None, True)
    page = client.get(resource.get_absolute_url()).text
    assert "あなたの評価を編集する" in page
    assert 'value="4" class="scores" id="id_procedure_4" checked' in page
    client.post(url, {"procedure": "2", "comment": "丁寧"})
    assert Rating.objects.get(pk=rating.pk).procedure == 2
    assert rating.history.count() == 2


def test_the_rating_form_says_what_is_missing(client):
    resource = factories.ResourceFactory()
    client.force_login(factories.planner())
    response = client.post(reverse("directory:resource-rate", args=[resource.pk]), {"comment": "?"})
    assert response.status_code == 400
    assert "少なくとも1つの項目を評価してください" in response.text
    response = client.post(reverse("directory:resource-rate", args=[resource.pk]), {"procedure": "9"})
    assert response.status_code == 400
    assert not Rating.objects.exists()


def test_the_rating_page_per_role(client):
    organization = factories.OrganizationFactory()
    resource = factories.ResourceFactory(organization=organization)
    url = reverse("directory:resource-rate", args=[resource.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for user, status in [
        (factories.planner(), 200),
        (factories.service_manager(factories.OrganizationFactory()), 200),
        (factories.service_manager(organization), 403),
        (factories.coordinator(), 403),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == status, user

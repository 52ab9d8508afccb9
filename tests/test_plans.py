"""Plans without HTTP: the records' rules, the service functions and who may read what."""

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError

from directory.choices import Visibility
from directory.models import Vacancy
from plans import services
from plans.choices import CandidateStatus, InquiryAnswer, LineStatus, MonitoringOutcome, PlanKind, PlanStage
from plans.models import Candidate, Inquiry, InquiryRecipient, LineReview, Plan
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_plan_belongs_to_its_writer_and_keeps_only_an_approximate_home_point():
    plan = factories.plan(latitude=36.648612, longitude=138.194432)
    assert (plan.latitude, plan.longitude) == (36.649, 138.194)
    assert plan.stage == PlanStage.DRAFT
    assert plan.history.first().history_user == plan.owner


def test_the_monthly_cap_follows_the_income_bracket_and_the_kind_of_plan():
    caps = {
        (PlanKind.ADULT, "welfare"): 0,
        (PlanKind.ADULT, "low"): 0,
        (PlanKind.ADULT, "general1"): 9_300,
        (PlanKind.CHILD, "general1"): 4_600,
        (PlanKind.ADULT, "general2"): 37_200,
        (PlanKind.CHILD, "general2"): 37_200,
    }
    for (kind, bracket), cap in caps.items():
        assert Plan(kind=kind, income_bracket=bracket).monthly_cap_yen == cap


def test_a_child_plan_needs_a_guardian_and_a_final_plan_its_dates():
    with pytest.raises(ValidationError) as error:
        factories.plan(kind=PlanKind.CHILD, birth_year=2020)
    assert "guardian_name" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        factories.plan(stage=PlanStage.FINAL)
    assert {"planned_on", "consent_on"} <= set(error.value.message_dict)
    assert not Plan.objects.exists()


def test_bad_values_name_their_fields_and_nothing_is_saved():
    with pytest.raises(ValidationError) as error:
        factories.plan(
            birth_year=1800, support_level=7, recipient_number="12ab", disability_groups=["martian"]
        )
    assert {"birth_year", "support_level", "recipient_number", "disability_groups"} <= set(
        error.value.message_dict
    )
    assert not Plan.objects.exists()


def test_an_unmet_line_needs_its_reason():
    plan = factories.plan()
    with pytest.raises(ValidationError) as error:
        factories.plan_line(plan, status=LineStatus.UNMET)
    assert "unmet_reason" in error.value.message_dict
    line = factories.plan_line(plan, status=LineStatus.UNMET, unmet_reason="近くにB型がない")
    assert line.status == LineStatus.UNMET


def test_for_user_gives_the_owner_and_colleagues_it_is_shared_with_and_no_one_else():
    owner, reader, editor, stranger = (factories.planner() for _ in range(4))
    plan = factories.plan(owner=owner)
    services.plan_share(plan=plan, by=owner, user=reader)
    services.plan_share(plan=plan, by=owner, user=editor, can_edit=True)
    organization = factories.OrganizationFactory()
    for user in (owner, reader, editor):
        assert list(Plan.objects.for_user(user)) == [plan]
    for user in (stranger, factories.coordinator(), factories.service_manager(organization)):
        assert not Plan.objects.for_user(user).exists()
    assert set(Plan.objects.filter(pk=plan.pk).editable_by(editor)) == {plan}
    assert not Plan.objects.editable_by(reader).exists()


def test_a_plan_cannot_be_shared_with_its_owner():
    plan = factories.plan()
    with pytest.raises(ValidationError):
        services.plan_share(plan=plan, by=plan.owner, user=plan.owner)


def test_an_informal_support_lives_in_its_plan_only():
    plan, other = factories.plan(), factories.plan()
    grandmother = services.informal_support_add(plan=plan, by=plan.owner, name="祖母", relation="祖母")
    line = factories.plan_line(plan, support_kind="informal", category=None, informal_support=grandmother)
    assert line.status == LineStatus.DECIDED and line.supplier == grandmother
    with pytest.raises(ValidationError) as error:
        factories.plan_line(other, support_kind="informal", category=None, informal_support=grandmother)
    assert "informal_support" in error.value.message_dict


def test_shortlisting_and_choosing_makes_the_candidate_the_line_s_provider():
    plan = factories.plan()
    line = factories.plan_line(plan)
    first, second = factories.ResourceFactory(), factories.ResourceFactory()
    services.candidate_add(line=line, resource=first, by=plan.owner, reason="家から近い")
    chosen = services.candidate_add(line=line, resource=second, by=plan.owner)
    line.refresh_from_db()
    assert line.status == LineStatus.CANDIDATES
    with pytest.raises(ValidationError):
        services.candidate_add(line=line, resource=first, by=plan.owner)
    services.candidate_choose(candidate=chosen, by=plan.owner)
    line.refresh_from_db()
    assert (line.provider, line.status) == (second, LineStatus.DECIDED)
    assert Candidate.objects.get(resource=second).status == CandidateStatus.CHOSEN


def test_nobody_can_shortlist_someone_else_s_private_entry():
    plan = factories.plan()
    line = factories.plan_line(plan)
    private = factories.ResourceFactory(visibility=Visibility.PRIVATE, owner=factories.planner())
    with pytest.raises(ValidationError):
        services.candidate_add(line=line, resource=private, by=plan.owner)


def test_the_schedule_is_built_from_the_lines_once():
    plan = factories.plan()
    factories.plan_line(plan, days=["mon", "wed"], starts=time(9), ends=time(15))
    assert len(services.schedule_from_lines(plan=plan, by=plan.owner)) == 2
    assert services.schedule_from_lines(plan=plan, by=plan.owner) == []


def test_monitoring_records_a_review_of_each_line_with_its_provider_of_the_day():
    plan = factories.plan()
    provider = factories.ResourceFactory()
    line = factories.plan_line(plan, provider=provider)
    monitoring = services.monitoring_record(
        plan=plan,
        by=plan.owner,
        conducted_on=date(2026, 1, 10),
        overall="安定して通えている",
        outcome=MonitoringOutcome.CONTINUE,
        reviews=[{"line": line, "satisfaction": "楽しい", "change_amount": True}],
    )
    review = LineReview.objects.get(monitoring=monitoring)
    assert (review.provider, review.change_amount, review.change_kind) == (provider, True, False)


def test_an_inquiry_tells_providers_only_what_they_need_and_an_answer_is_a_vacancy_report():
    plan = factories.plan(person_name="山田太郎", birth_year=1990, latitude=36.6, longitude=138.2)
    line = factories.plan_line(plan, days=["mon", "tue"], starts=time(9), ends=time(16))
    organization = factories.OrganizationFactory()
    office = factories.ResourceFactory(organization=organization)
    declined = factories.ResourceFactory()
    services.candidate_add(line=line, resource=office, by=plan.owner)
    services.candidate_update(
        candidate=services.candidate_add(line=line, resource=declined, by=plan.owner),
        by=plan.owner,
        status=CandidateStatus.DECLINED,
    )
    inquiry = services.inquiry_send(line=line, by=plan.owner)
    assert [r.resource for r in inquiry.recipients.all()] == [office]
    assert inquiry.age_band.endswith("代") and "山田" not in str(Inquiry.objects.values().get())
    manager = factories.service_manager(organization)
    recipient = InquiryRecipient.objects.for_manager(manager).get()
    services.inquiry_answer(recipient=recipient, by=manager, answer=InquiryAnswer.ACCEPT, places=2)
    vacancy = Vacancy.objects.get(resource=office)
    assert (vacancy.places, vacancy.reported_by) == (2, manager)
    office.refresh_from_db()
    assert office.latest_vacancy == vacancy


def test_an_accepting_answer_needs_its_places():
    plan = factories.plan()
    line = factories.plan_line(plan)
    services.candidate_add(line=line, resource=factories.ResourceFactory(), by=plan.owner)
    recipient = services.inquiry_send(line=line, by=plan.owner).recipients.get()
    with pytest.raises(ValidationError) as error:
        services.inquiry_answer(recipient=recipient, by=factories.planner(), answer=InquiryAnswer.ACCEPT)
    assert "places" in error.value.message_dict
    assert not Vacancy.objects.exists()

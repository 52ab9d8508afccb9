"""The plan pages over HTTP: forms, the official sheets, find → shortlist → compare → choose, inquiries,
and that nobody but the owner and the colleagues a plan is shared with ever sees it."""

import html
import json
import re
from datetime import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from directory import services as directory_services
from directory.models import Category, Vacancy
from plans import services
from plans.choices import CandidateStatus, LineStatus
from plans.models import Plan, PlanLine, PlanView
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def nagano():
    return factories.MunicipalityFactory(code="202011", name="長野市", latitude=36.6486, longitude=138.1944)


def plan_form(municipality, **changes):
    data = {
        "kind": "adult", "stage": "draft", "person_name": "K・S", "birth_year": "1998",
        "municipality": municipality.pk, "disability_groups": ["intellectual"], "support_level": "3",
        "income_bracket": "general1", "drafted_on": "2026-01-05", "monitoring_months": "3",
        "person_wishes": "仕事をしてお金をためたい", "family_wishes": "安心して通える場所を",
    }  # fmt: skip
    data.update(changes)
    return data


def test_a_planner_creates_a_plan_from_the_form(client, nagano):
    planner = factories.planner()
    client.force_login(planner)
    response = client.post(reverse("plans:plan-create"), plan_form(nagano))
    plan = Plan.objects.get()
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert (plan.owner, plan.person_wishes, plan.family_wishes) == (
        planner,
        "仕事をしてお金をためたい",
        "安心して通える場所を",
    )
    page = client.get(plan.get_absolute_url()).text
    for heading in (
        "利用者及びその家族の生活に対する意向",
        "総合的な援助の方針",
        "解決すべき課題（本人のニーズ）",
        "9,300円",
    ):
        assert heading in page


def test_the_plan_form_names_each_wrong_field_in_japanese_and_saves_nothing(client, nagano):
    client.force_login(factories.planner())
    data = plan_form(
        nagano, person_name="", birth_year="1850", kind="child", stage="final", recipient_number="12-34"
    )
    response = client.post(reverse("plans:plan-create"), data)
    assert response.status_code == 400
    text = response.text
    assert "入力を確かめてください。保存していません。" in text
    for message in (
        "利用者氏名: この項目は必須です。",
        "生まれ年は1900年から今年までの西暦で入力してください。",
        "障害児支援利用計画には保護者氏名が必要です。",
        "計画（本計画）にはこの日付が必要です。",
        "受給者証番号は10桁の数字です。",
    ):
        assert message in text
    assert not Plan.objects.exists()


def test_only_planners_may_start_a_plan(client):
    client.force_login(factories.coordinator())
    assert client.get(reverse("plans:plan-create")).status_code == 403


def test_a_line_form_refuses_an_unmet_line_without_a_reason(client):
    plan = factories.plan()
    client.force_login(plan.owner)
    url = reverse("plans:line-create", args=[plan.pk])
    response = client.post(
        url, {"priority": "1", "need": "夜に一人で不安", "support_kind": "formal", "status": "unmet"}
    )
    assert response.status_code == 400
    assert "未充足のときは理由を書いてください。" in response.text
    assert not PlanLine.objects.exists()
    response = client.post(
        url,
        {"priority": "1", "need": "日中活動の場がほしい", "support_kind": "formal", "status": "searching",
         "category": Category.objects.get(slug="employment-b").pk, "days": ["mon", "wed"], "starts": "09:30",
         "ends": "15:00"},
    )  # fmt: skip
    assert response.status_code == 302
    assert PlanLine.objects.get().days == ["mon", "wed"]


def test_find_providers_opens_the_search_with_the_line_s_real_parameters(client, nagano):
    plan = factories.plan(
        municipality=nagano, support_level=4, birth_year=1990, disability_groups=["intellectual"]
    )
    line = factories.plan_line(plan)
    client.force_login(plan.owner)
    response = client.get(reverse("plans:line-find", args=[line.pk]))
    url = urlsplit(response["Location"])
    assert url.path == reverse("directory:resource-search")
    query = parse_qs(url.query)
    assert query["category"] == ["employment-b"] and query["disability"] == ["intellectual"]
    assert (
        query["support_level"] == ["4"]
        and query["near_address"] == ["202011"]
        and query["serves"] == ["202011"]
    )
    assert query["for_line"] == [str(line.pk)] and int(query["age"][0]) >= 35
    page = client.get(response["Location"])
    assert page.status_code == 200 and 'id="shortlist-panel"' in page.text


def test_results_can_be_shortlisted_by_the_plan_s_editors_only(client, nagano):
    plan = factories.plan(municipality=nagano)
    line = factories.plan_line(plan)
    resource = factories.ResourceFactory(
        name="ワークセンターさくら",
        municipality=nagano,
        primary_category=Category.objects.get(slug="employment-b"),
    )
    search = reverse("directory:resource-search") + f"?category=employment-b&for_line={line.pk}"
    client.force_login(plan.owner)
    assert "候補に追加" in client.get(search).text
    response = client.post(
        reverse("plans:candidate-add", args=[line.pk]), {"resource": resource.pk, "next": search}
    )
    assert response["Location"] == search
    assert "候補に追加済み" in client.get(search).text
    reader = factories.planner()
    services.plan_share(plan=plan, by=plan.owner, user=reader)
    for user in (reader, factories.planner()):
        client.force_login(user)
        text = client.get(search).text
        assert "ワークセンターさくら" in text and "候補に追加" not in text and "shortlist-panel" not in text
        assert client.post(
            reverse("plans:candidate-add", args=[line.pk]), {"resource": resource.pk}
        ).status_code in (
            403,
            404,
        )


def test_the_compare_page_sets_candidates_side_by_side_and_choosing_sets_the_provider(client, nagano):
    plan = factories.plan(municipality=nagano, latitude=36.65, longitude=138.19)
    line = factories.plan_line(plan, days=["mon", "sat"], starts=time(9), ends=time(15))
    fees = [
        {"kind": "public_10pct"},
        {"kind": "actual", "amount_yen": 500, "unit": "day", "description": "食費"},
    ]
    hours = [{"day_type": "weekday", "opens": time(8, 30), "closes": time(17)}]
    offices = [
        factories.ResourceFactory(name=f"事業所{n}", latitude=36.65 + n / 100, fees=fees, hours=hours)
        for n in range(3)
    ]
    for office in offices:
        services.candidate_add(line=line, resource=office, by=plan.owner, reason="見学して本人が気に入った")
    client.force_login(plan.owner)
    page = client.get(reverse("plans:line-compare", args=[line.pk])).text
    for office in offices:
        assert office.name in page
    assert "月 ○" in page and "土 ×" in page and "km" in page and "食費" in page
    # Professionals' ratings, beside each candidate: a figure where someone rated it, a plain word where not.
    directory_services.rating_save(resource=offices[0], by=factories.planner(), procedure=5, expertise=4)
    ratings = re.findall(
        r'<td class="rating">(.*?)</td>', client.get(reverse("plans:line-compare", args=[line.pk])).text
    )
    assert re.search(
        r'href="/resources/\d+/#ratings"><span class="badge rating" data-rating="[\d.]+">評価 [\d.]+（1人）',
        ratings[0],
    )
    assert "まだ評価がありません" in ratings[1] and "まだ評価がありません" in ratings[2]
    assert "評価の機能ができたら" not in page
    chosen = line.candidates.get(resource=offices[1])
    client.post(reverse("plans:candidate-choose", args=[chosen.pk]))
    line.refresh_from_db()
    assert (line.provider, line.status) == (offices[1], LineStatus.DECIDED)
    assert PlanView.objects.filter(plan=plan, page="compare").exists()


def test_a_candidate_s_status_and_reason_are_kept(client):
    plan = factories.plan()
    line = factories.plan_line(plan)
    candidate = services.candidate_add(line=line, resource=factories.ResourceFactory(), by=plan.owner)
    client.force_login(plan.owner)
    client.post(
        reverse("plans:candidate-update", args=[candidate.pk]), {"status": "visited", "reason": "送迎あり"}
    )
    candidate.refresh_from_db()
    assert (candidate.status, candidate.reason) == (CandidateStatus.VISITED, "送迎あり")


def test_the_weekly_sheet_runs_from_6_to_4_with_the_lines_on_it(client):
    plan = factories.plan()
    factories.plan_line(plan, days=["mon"], starts=time(9), ends=time(15))
    services.schedule_entry_add(
        plan=plan, by=plan.owner, day="sun", starts=time(22), ends=time(7), label="睡眠"
    )
    client.force_login(plan.owner)
    client.post(reverse("plans:week-from-lines", args=[plan.pk]))
    page = client.get(reverse("plans:week", args=[plan.pk])).text
    assert ">6:00<" in page and ">3:00<" in page and ">5:00<" not in page
    assert "grid-row: 8 / 20" in page  # 9:00 to 15:00 on half-hour rows after the header row
    assert "grid-row: 34 / 46" in page  # 22:00 to the sheet's end at 4:00
    assert "grid-row: 2 / 4" in page  # and its morning, 6:00 to 7:00, as on the paper sheet
    assert "日・祝" in page and "主な日常生活上の活動" in page


def test_a_schedule_entry_form_names_its_errors(client):
    plan = factories.plan()
    client.force_login(plan.owner)
    response = client.post(
        reverse("plans:week", args=[plan.pk]), {"day": "mon", "starts": "09:00", "ends": "09:00", "label": ""}
    )
    assert response.status_code == 400
    assert "開始と終了が同じ時刻です。" in response.text and "内容: この項目は必須です。" in response.text


def test_monitoring_is_recorded_with_each_line_and_printed_as_the_report(client):
    plan = factories.plan()
    line = factories.plan_line(plan, provider=factories.ResourceFactory(name="ワークセンターさくら"))
    client.force_login(plan.owner)
    response = client.post(
        reverse("plans:monitoring-create", args=[plan.pk]),
        {"conducted_on": "2026-04-10", "overall": "週4日通えている", "outcome": "continue",
         f"line-{line.pk}-satisfaction": "仕事が楽しい", f"line-{line.pk}-change_amount": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    report = client.get(response["Location"]).text
    assert "モニタリング報告書" in report and "仕事が楽しい" in report and "ワークセンターさくら" in report
    assert "継続" in report

    # From the report the planner rates the provider, the form saying the rating is based on use.
    link = re.search(r'<a href="([^"]+)">この事業所を評価する（利用に基づく評価）</a>', report).group(1)
    form = client.get(html.unescape(link)).text
    assert re.search(r'<input type="checkbox" name="based_on_use"[^>]* checked', form)
    resource = line.provider
    saved = client.post(html.unescape(link), {"procedure": "4", "based_on_use": "on"})
    assert saved.status_code == 302
    assert resource.ratings.get(user=plan.owner).based_on_use is True


def test_a_line_entered_by_mistake_is_deleted_with_its_candidates_and_week_entries(client):
    plan = factories.plan()
    kept = factories.plan_line(plan, need="日中の活動")
    line = factories.plan_line(plan, need="まちがえた行", days=["mon"], starts=time(10), ends=time(15))
    services.candidate_add(line=line, resource=factories.ResourceFactory(), by=plan.owner)
    services.schedule_from_lines(plan=plan, by=plan.owner)
    delete = reverse("plans:line-delete", args=[line.pk])
    assert client.get(delete).status_code == 404  # signed out
    colleague = factories.planner()
    services.plan_share(plan=plan, by=plan.owner, user=colleague)  # may read, not edit
    client.force_login(colleague)
    assert client.post(delete).status_code == 403 and PlanLine.objects.filter(pk=line.pk).exists()

    client.force_login(plan.owner)
    assert f'href="{delete}"' in client.get(reverse("plans:line-edit", args=[line.pk])).text
    page = client.get(delete).text
    assert "候補の事業所 1 件も消えます" in page and "週間計画表の予定 1 件も消えます" in page
    response = client.post(delete)
    assert response["Location"] == plan.get_absolute_url() + "#plan-lines"
    assert list(plan.lines.all()) == [kept]
    assert not plan.schedule.filter(line_id=line.pk).exists()
    assert "まちがえた行」を削除しました" in client.get(response["Location"]).text


def test_a_line_that_a_monitoring_or_an_inquiry_names_is_ended_not_deleted(client):
    plan = factories.plan()
    reviewed = factories.plan_line(plan, provider=factories.ResourceFactory())
    services.monitoring_record(
        plan=plan, by=plan.owner, conducted_on="2026-04-10", overall="順調", outcome="continue",
        reviews=[{"line": reviewed, "satisfaction": "楽しい"}],
    )  # fmt: skip
    asked = factories.plan_line(plan)
    services.candidate_add(line=asked, resource=factories.ResourceFactory(), by=plan.owner)
    services.inquiry_send(line=asked, by=plan.owner)
    client.force_login(plan.owner)
    for line, record in ((reviewed, "モニタリングの評価"), (asked, "事業所への受け入れ照会")):
        delete = reverse("plans:line-delete", args=[line.pk])
        assert record in client.get(delete).text
        response = client.post(delete)
        assert response.status_code == 409 and "状況を「終了」にしてください" in response.text
        assert PlanLine.objects.filter(pk=line.pk).exists()


def test_a_monitoring_without_its_overall_state_is_refused(client):
    plan = factories.plan()
    client.force_login(plan.owner)
    response = client.post(reverse("plans:monitoring-create", args=[plan.pk]), {"outcome": "continue"})
    assert response.status_code == 400 and "全体の状況: この項目は必須です。" in response.text
    assert not plan.monitorings.exists()


def test_a_service_manager_answers_an_inquiry_that_carries_no_name(client):
    organization = factories.OrganizationFactory()
    office = factories.ResourceFactory(organization=organization, name="ワークセンターさくら")
    plan = factories.plan(person_name="山田花子")
    line = factories.plan_line(plan, days=["tue"], starts=time(10), ends=time(15))
    services.candidate_add(line=line, resource=office, by=plan.owner)
    services.inquiry_send(line=line, by=plan.owner)
    manager = factories.service_manager(organization)
    client.force_login(manager)
    page = client.get(reverse("plans:inquiry-list")).text
    assert "ワークセンターさくら" in page and "火" in page and "山田" not in page
    recipient = line.inquiries.get().recipients.get()
    bad = client.post(
        reverse("plans:inquiry-answer", args=[recipient.pk]), {f"{recipient.pk}-answer": "accept"}
    )
    assert bad.status_code == 400 and "受入可のときは受け入れられる人数を入れてください。" in bad.text
    client.post(
        reverse("plans:inquiry-answer", args=[recipient.pk]),
        {
            f"{recipient.pk}-answer": "accept",
            f"{recipient.pk}-places": "1",
            f"{recipient.pk}-meet_on": "2026-05-01",
        },
    )
    assert Vacancy.objects.get(resource=office).places == 1
    client.force_login(plan.owner)
    assert "受入可" in client.get(reverse("plans:line-compare", args=[line.pk])).text
    other_manager = factories.service_manager(factories.OrganizationFactory())
    client.force_login(other_manager)
    assert "ワークセンターさくら" not in client.get(reverse("plans:inquiry-list")).text
    assert client.post(reverse("plans:inquiry-answer", args=[recipient.pk]), {}).status_code == 404


def test_the_plan_map_shows_the_home_area_and_the_chosen_providers_only(client, settings):
    settings.MAP_TILES = "none"
    plan = factories.plan(latitude=36.65, longitude=138.19)
    chosen = factories.ResourceFactory(name="えらばれた作業所", latitude=36.66, longitude=138.2)
    line = factories.plan_line(plan)
    services.candidate_choose(
        candidate=services.candidate_add(line=line, resource=chosen, by=plan.owner), by=plan.owner
    )
    services.candidate_add(
        line=line, resource=factories.ResourceFactory(name="候補だけの作業所"), by=plan.owner
    )
    client.force_login(plan.owner)
    assert reverse("mapviews:plan-map", args=[plan.pk]) in client.get(plan.get_absolute_url()).text
    response = client.get(reverse("mapviews:plan-map", args=[plan.pk]))
    text = response.content.decode()
    assert response.status_code == 200 and response["X-Frame-Options"] == "SAMEORIGIN"

    def drawn(name):  # the pins are JSON data, their text perhaps escaped
        return name in text or json.dumps(name)[1:-1] in text

    assert drawn("えらばれた作業所") and not drawn("候補だけの作業所")
    assert drawn("自宅付近") and '"home"' in text and "L.circle" in text


def test_the_compare_page_maps_the_candidates_numbered_as_its_columns(client, nagano):
    plan = factories.plan(municipality=nagano, latitude=36.65, longitude=138.19)
    line = factories.plan_line(plan)
    unplaced = factories.ResourceFactory(name="場所のない事業所", latitude=None, longitude=None)
    offices = [
        unplaced,
        *(factories.ResourceFactory(name=f"事業所{n}", latitude=36.66 + n / 100) for n in range(2)),
    ]
    for office in offices:
        services.candidate_add(line=line, resource=office, by=plan.owner)
    client.force_login(plan.owner)
    page = client.get(reverse("plans:line-compare", args=[line.pk])).text
    headers = re.findall(r'<th scope="col" data-candidate-id="\d+">(.*?)</th>', page, re.S)
    numbers = [re.search(r'class="pin [^"]*numbered"[^>]*>(\d+)<', header) for header in headers]
    assert [number and number[1] for number in numbers] == [None, "1", "2"]  # no point, no pin
    map_url = reverse("mapviews:line-map", args=[line.pk])
    assert f'src="{map_url}"' in page

    document = client.get(map_url).content.decode()
    data = json.loads(re.search(r'<script[^>]*id="map-pins">(.*?)</script>', document, re.S)[1])
    assert [pin[4] for pin in data["pins"]][:2] == ["事業所0", "事業所1"] and data["numbered"] == 2
    assert data["clustered"] is False  # a plan's few pins are each drawn
    assert data["pins"][2][4] == "自宅付近（おおよその地点）"  # home, not numbered
    client.force_login(factories.planner())
    assert client.get(map_url).status_code == 404  # someone the plan is not shared with

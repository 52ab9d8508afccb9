"""Two invented plans for the demo planner, so that the flow (find → shortlist → compare → choose →
monitor) can be tried at once. Called by `manage.py load_demo` through directory.hooks.

Idempotent: a plan is found again by its owner and invented name and left as it is.
"""

from datetime import date, time

from directory import geo
from directory.models import Category, Municipality, Resource
from plans import services
from plans.models import Plan

NOTE = "※デモ用に作った架空の人物です。"


def _near(slug, point, n):
    """The n public demo entries of a category nearest a point."""
    rows = Resource.objects.public().open().filter(primary_category__slug=slug, source_id__startswith="demo-")
    return list(geo.within_radius(rows, *point, 30).order_by("distance_km", "pk")[:n])


def _adult(planner, today):
    nagano = Municipality.objects.get(code="202011")
    plan = services.plan_create(
        by=planner,
        person_name="T・K（デモ）",
        birth_year=today.year - 31,
        municipality=nagano,
        latitude=36.652,
        longitude=138.188,
        disability_groups=["intellectual"],
        support_level=4,
        income_bracket="general1",
        drafted_on=today,
        monitoring_months=3,
        person_wishes="仕事をして、自分のお金で好きな電車の本を買いたい。いずれは家を出て暮らしてみたい。",
        family_wishes="親が元気なうちに、安心して暮らせる場所を見つけておきたい。",
        policy=f"本人の「働きたい」「家を出たい」を軸に、日中活動と住まいを段階的に整える。{NOTE}",
        long_term_goal="グループホームで暮らしながら、週5日働く。",
        short_term_goal="毎日決まった時間に通える日中活動の場を見つける。",
        daily_activities="7:00 起床\n8:30 送迎バス\n18:00 夕食・入浴\n21:30 就寝",
        non_weekly_services="月1回 精神科通院（母同行）",
        whole_picture="平日は作業所で働き、週末は祖母の家で過ごす。将来はグループホームで自分のペースで暮らす。",
    )
    work = services.plan_line_add(
        plan=plan,
        by=planner,
        priority=1,
        need="日中、仲間と一緒に働きたい",
        goal="週5日、休まず通う",
        target_period="6か月後",
        category=Category.objects.get(slug="employment-b"),
        content="軽作業・販売",
        amount="週5日 9:30〜15:30",
        days=["mon", "tue", "wed", "thu", "fri"],
        starts=time(9, 30),
        ends=time(15, 30),
        person_role="朝の準備を自分でする",
        review_timing="3か月後",
    )
    for office, reason in zip(
        _near("employment-b", plan.home_point, 3),
        ("家から近い", "送迎がある", "作業内容が本人の好みに合う"),
        strict=False,
    ):
        services.candidate_add(line=work, resource=office, by=planner, reason=reason)
    services.plan_line_add(
        plan=plan,
        by=planner,
        priority=2,
        need="家を出て暮らす練習をしたい",
        goal="体験利用を2回する",
        target_period="1年後",
        category=Category.objects.get(slug="group-home"),
        content="体験利用",
        amount="月2泊",
        person_role="体験の感想を家族に伝える",
        review_timing="6か月後",
    )
    grandmother = services.informal_support_add(
        plan=plan, by=planner, name="祖母", relation="祖母", notes="週末に本人を預かってくれる"
    )
    services.plan_line_add(
        plan=plan,
        by=planner,
        priority=3,
        need="週末を安心して過ごしたい",
        goal="週末の居場所を保つ",
        support_kind="informal",
        informal_support=grandmother,
        amount="土曜 10:00〜17:00",
        days=["sat"],
        starts=time(10),
        ends=time(17),
        person_role="祖母の買い物を手伝う",
    )
    services.schedule_from_lines(plan=plan, by=planner)
    for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        services.schedule_entry_add(
            plan=plan, by=planner, day=day, starts=time(21, 30), ends=time(7), label="就寝"
        )


def _child(planner, today):
    suzaka = Municipality.objects.get(code="202070")
    plan = services.plan_create(
        by=planner,
        kind="child",
        person_name="Y・S（デモ）",
        guardian_name="S・M（デモ）",
        guardian_relation="母",
        birth_year=today.year - 4,
        municipality=suzaka,
        disability_groups=["developmental", "child"],
        income_bracket="general1",
        drafted_on=today,
        monitoring_months=6,
        person_wishes="（本人）おともだちとあそびたい。",
        family_wishes="ことばの発達を支えてほしい。保育園との連携を望む。",
        policy=f"保育園での生活を続けながら、療育で言葉とやりとりの力を伸ばす。{NOTE}",
        long_term_goal="就学までに、困ったときに大人に伝えられる。",
        short_term_goal="療育に週2回、楽しく通う。",
    )
    therapy = services.plan_line_add(
        plan=plan,
        by=planner,
        priority=1,
        need="ことばで気持ちを伝えたい",
        goal="週2回の療育に通う",
        target_period="6か月後",
        category=Category.objects.get(slug="child-development"),
        content="個別療育",
        amount="週2日 15:00〜17:00",
        days=["tue", "thu"],
        starts=time(15),
        ends=time(17),
        person_role="好きな遊びを先生に教える",
        review_timing="6か月後",
    )
    offices = _near("child-development", plan.home_point, 2)
    candidates = [services.candidate_add(line=therapy, resource=office, by=planner) for office in offices]
    if candidates:
        services.candidate_choose(candidate=candidates[0], by=planner, reason="見学で本人が楽しそうだった")
    services.plan_line_add(
        plan=plan,
        by=planner,
        priority=2,
        need="保育園でも安心して過ごしたい",
        goal="保育士と療育の方法を共有する",
        category=Category.objects.get(slug="nursery-visit-support"),
        content="保育園への訪問支援",
        amount="月2回",
    )


DEMO_PLANS = {"T・K（デモ）": _adult, "Y・S（デモ）": _child}


def load_demo_plans(*, users, stdout, today=None):
    """The demo plans of `users["planner"]` (skipped without the demo users)."""
    planner = users.get("planner")
    if planner is None:
        stdout.write("Skipped the demo plans: no demo planner.")
        return
    made = []
    for name, build in DEMO_PLANS.items():
        if not Plan.objects.filter(owner=planner, person_name=name).exists():
            build(planner, today or date.today())
            made.append(name)
    stdout.write(f"Demo plans of planner: {len(made)} created, {len(DEMO_PLANS) - len(made)} already there.")

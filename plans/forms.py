"""Forms of the plan pages. They validate; the views write through plans.services."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from directory.choices import DisabilityGroup
from directory.forms import DateInput, TimeInput
from directory.models import Category, Municipality
from directory.roles import PLANNER
from plans.choices import ScheduleDay
from plans.models import (
    Candidate,
    InformalSupport,
    InquiryRecipient,
    LineReview,
    Monitoring,
    Plan,
    PlanLine,
    ScheduleEntry,
)

SUPPORT_LEVELS = [("", _("区分なし・未判定")), *((str(n), _("区分%(n)d") % {"n": n}) for n in range(1, 7))]


class PlanForm(forms.ModelForm):
    disability_groups = forms.MultipleChoiceField(
        label=_("障害の種別"),
        choices=DisabilityGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    support_level = forms.TypedChoiceField(
        label=_("障害支援区分"), choices=SUPPORT_LEVELS, coerce=int, empty_value=None, required=False
    )
    municipality = forms.ModelChoiceField(
        label=_("住んでいる市区町村"),
        queryset=Municipality.objects.select_related("prefecture"),
        error_messages={"invalid_choice": _("一覧から市区町村を選んでください。")},
    )

    class Meta:
        model = Plan
        fields = Plan.HEADER_FIELDS
        widgets = {
            "drafted_on": DateInput(),
            "planned_on": DateInput(),
            "monitoring_from": DateInput(),
            "consent_on": DateInput(),
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in ("person_wishes", "family_wishes", "policy", "long_term_goal", "short_term_goal")
            },
        }


class PlanLineForm(forms.ModelForm):
    days = forms.MultipleChoiceField(
        label=_("利用したい曜日"),
        choices=ScheduleDay.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = PlanLine
        fields = [*PlanLine.NEED_FIELDS, *PlanLine.SERVICE_FIELDS, *PlanLine.STATUS_FIELDS]
        widgets = {
            "starts": TimeInput(),
            "ends": TimeInput(),
            **{
                name: forms.Textarea(attrs={"rows": 2})
                for name in ("need", "goal", "content", "person_role", "notes", "unmet_reason")
            },
        }

    FIELDSETS = (
        (_("課題と目標"), PlanLine.NEED_FIELDS),
        (_("福祉サービス等"), PlanLine.SERVICE_FIELDS),
        (_("状況"), PlanLine.STATUS_FIELDS),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["informal_support"].queryset = InformalSupport.objects.filter(plan=self.instance.plan)
        self.fields["category"].queryset = Category.objects.order_by("code")

    def fieldsets(self):
        return [(legend, [self[name] for name in names]) for legend, names in self.FIELDSETS]


class InformalSupportForm(forms.ModelForm):
    class Meta:
        model = InformalSupport
        fields = ["name", "relation", "contact", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}


class ScheduleEntryForm(forms.ModelForm):
    class Meta:
        model = ScheduleEntry
        fields = ["day", "starts", "ends", "label", "line"]
        widgets = {"starts": TimeInput(), "ends": TimeInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = PlanLine.objects.filter(plan=self.instance.plan)


class WeekNotesForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = Plan.WEEK_FIELDS
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in fields}


class ShareForm(forms.Form):
    username = forms.CharField(label=_("共有する職員のユーザー名"), max_length=150)
    can_edit = forms.BooleanField(label=_("編集もできる"), required=False)

    def clean_username(self):
        name = self.cleaned_data["username"]
        user = get_user_model().objects.filter(username=name, groups__name=PLANNER).first()
        if user is None:
            raise forms.ValidationError(
                _("「%(name)s」という相談支援専門員はいません。"), params={"name": name}
            )
        return user


class CandidateForm(forms.ModelForm):
    class Meta:
        model = Candidate
        fields = ["status", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 2})}


class MonitoringForm(forms.ModelForm):
    class Meta:
        model = Monitoring
        fields = ["conducted_on", "overall", "person_view", "outcome", "next_on"]
        widgets = {
            "conducted_on": DateInput(),
            "next_on": DateInput(),
            "overall": forms.Textarea(attrs={"rows": 3}),
            "person_view": forms.Textarea(attrs={"rows": 2}),
        }


class LineReviewForm(forms.ModelForm):
    class Meta:
        model = LineReview
        fields = [
            "provision_status",
            "satisfaction",
            "achievement",
            "issues",
            "change_kind",
            "change_amount",
            "change_weekly",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in ("provision_status", "satisfaction", "achievement", "issues")
        }


class InquiryForm(forms.Form):
    message = forms.CharField(
        label=_("照会の補足"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("氏名など本人がわかることは書かないでください。"),
    )


class InquiryAnswerForm(forms.ModelForm):
    class Meta:
        model = InquiryRecipient
        fields = ["answer", "places", "meet_on", "note"]
        widgets = {"meet_on": DateInput(), "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer"].required = True

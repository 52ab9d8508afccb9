"""The web forms of the catalogue's pages. They check shapes; the rules and the writes are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from directory.choices import ProblemKind, RatingCriterion, ResourceStatus
from directory.models import SUGGESTIBLE_FIELDS, Feature, Resource

SCORE_CHOICES = [("", _("わからない")), *((str(n), str(n)) for n in range(1, 6))]
CRITERION_HELP = {
    RatingCriterion.PROCEDURE: _("相談から利用開始までの手続き・書類・調整のしやすさ"),
    RatingCriterion.EXPERTISE: _("障害特性や支援についての専門性"),
    RatingCriterion.FLEXIBILITY: _("時間・対象・内容を本人に合わせて変えられるか"),
    RatingCriterion.COOPERATION: _("返事の早さ、情報の共有、会議への参加"),
    RatingCriterion.SATISFACTION: _("本人・家族から聞く満足の声"),
}


class RatingForm(forms.Form):
    comment = forms.CharField(
        label=_("コメント（専門職にだけ表示されます）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    based_on_use = forms.BooleanField(
        label=_("実際に利用した（計画に位置づけた）経験にもとづく"), required=False
    )

    def __init__(self, *args, rating=None, **kwargs):
        if rating is not None:
            kwargs.setdefault(
                "initial",
                {
                    **{criterion: getattr(rating, criterion) for criterion in RatingCriterion.values},
                    "comment": rating.comment,
                    "based_on_use": rating.based_on_use,
                },
            )
        super().__init__(*args, **kwargs)
        for criterion in RatingCriterion:
            self.fields[criterion.value] = forms.TypedChoiceField(
                label=criterion.label,
                help_text=CRITERION_HELP[criterion],
                choices=SCORE_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "scores"}),
            )
        self.order_fields([*RatingCriterion.values, "comment", "based_on_use"])

    def clean(self):
        data = super().clean()
        if all(data.get(criterion) is None for criterion in RatingCriterion.values):
            raise forms.ValidationError(
                _("少なくとも1つの項目を評価してください（わからない項目はそのままで構いません）。")
            )
        return data


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("評価への返信（専門職に表示されます）"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class VacancyForm(forms.Form):
    places = forms.IntegerField(label=_("いまの空き数"), min_value=0, max_value=32767)
    note = forms.CharField(label=_("備考（例: 火・木のみ空きあり）"), max_length=200, required=False)


class ResourceDetailsForm(forms.ModelForm):
    """What a provider keeps true about its own entry."""

    version = forms.CharField(widget=forms.HiddenInput, max_length=64)
    features = forms.ModelMultipleChoiceField(
        label=_("対応可能なこと"),
        queryset=Feature.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    status = forms.ChoiceField(
        label=_("状態"),
        choices=[choice for choice in ResourceStatus.choices if choice[0] != ResourceStatus.CLOSED],
        help_text=_("廃止はコーディネーターに連絡してください。"),
    )

    class Meta:
        model = Resource
        fields = [
            "status", "phone", "fax", "email", "url", "description", "closed_days", "hours_note", "capacity",
            "features", "accessibility_notes", "languages", "eligibility_notes",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "accessibility_notes": forms.Textarea(attrs={"rows": 2}),
            "eligibility_notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.status == ResourceStatus.CLOSED:
            self.fields["status"].choices = ResourceStatus.choices

    def changes(self):
        """The fields to write: those of the form, without the version."""
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class SuggestionForm(forms.Form):
    field = forms.ChoiceField(
        label=_("項目"),
        choices=[(name, Resource._meta.get_field(name).verbose_name) for name in SUGGESTIBLE_FIELDS],
    )
    new_value = forms.CharField(
        label=_("正しい値"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = forms.CharField(
        label=_("理由・根拠（例: 事業所に電話で確認した）"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ProblemForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("どんな問題ですか"), choices=ProblemKind.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("くわしく（任意。「その他」は必須）"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("メモ（任意）"), required=False, max_length=300)

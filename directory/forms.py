"""The web forms of the catalogue's pages. They check shapes; the rules and the writes are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from directory.choices import DayType, ProblemKind, RatingCriterion, ResourceStatus
from directory.models import SUGGESTIBLE_FIELDS, Feature, Region, Resource


class TimeInput(forms.TimeInput):
    """A time as the browser's own time picker takes it (HH:MM)."""

    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


# The fields of a day type's opening hours on the provider's form, each an OpeningHours field.
HOURS_PARTS = ("opens", "closes", "text")


def hours_field(day, part):
    """The form field of one part of a day type's opening hours, e.g. hours_saturday_opens."""
    return f"hours_{day}_{part}"


HOURS_FIELDS = {hours_field(day, part) for day in DayType.values for part in HOURS_PARTS}


class DateInput(forms.DateInput):
    """A date as the browser's own date picker takes it (YYYY-MM-DD)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


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
        # The opening hours: one row a day type (平日, 土曜, 日曜, 祝日), as OpeningHours keeps them.
        stored = {hours.day_type: hours for hours in self.instance.hours.all()} if self.instance.pk else {}
        for day, day_label in DayType.choices:
            for part, field in self._hours_fields(day_label).items():
                self.fields[hours_field(day, part)] = field
                self.initial[hours_field(day, part)] = getattr(stored.get(day), part, None)

    @staticmethod
    def _hours_fields(day_label):
        day = {"day": day_label}
        return {
            "opens": forms.TimeField(label=_("%(day)sの開始") % day, required=False, widget=TimeInput()),
            "closes": forms.TimeField(label=_("%(day)sの終了") % day, required=False, widget=TimeInput()),
            "text": forms.CharField(label=_("%(day)sの補足") % day, required=False, max_length=100),
        }

    def hours_rows(self):
        """The opening hours' fields, a row a day type: (day's name, opens, closes, text)."""
        return [
            (label, *(self[hours_field(day, part)] for part in HOURS_PARTS)) for day, label in DayType.choices
        ]

    def visible_fields(self):
        """The fields shown one under another (the opening hours are a table of their own: hours_rows)."""
        return [field for field in super().visible_fields() if field.name not in HOURS_FIELDS]

    def clean(self):
        cleaned = super().clean()
        for day, _label in DayType.choices:
            opens, closes = cleaned.get(hours_field(day, "opens")), cleaned.get(hours_field(day, "closes"))
            if (opens is None) != (closes is None):
                missing = hours_field(day, "closes" if closes is None else "opens")
                if missing not in self.errors:
                    self.add_error(missing, _("開始と終了の時刻は両方入力してください。"))
        return cleaned

    def _hours(self, *, submitted):
        """The opening hours as OpeningHours rows: as submitted, or as stored. A day type whose fields were
        not sent at all is kept as stored; one whose times were changed loses the words of the source
        (imported with the old times) unless they were changed too."""
        rows = []
        for day, _label in DayType.choices:
            names = [hours_field(day, part) for part in HOURS_PARTS]
            sent = submitted and any(self.add_prefix(name) in self.data for name in names)
            opens, closes, text = ((self.cleaned_data if sent else self.initial).get(name) for name in names)
            stored = [self.initial.get(name) for name in names]
            if sent and [opens, closes] != stored[:2] and text == stored[2]:
                text = ""
            if opens is not None or text:
                rows.append({"day_type": day, "opens": opens, "closes": closes, "text": text or ""})
        return rows

    def changes(self):
        """The fields to write: those of the form, without the version; the opening hours only when their
        table was changed (a source's own words, kept in `text`, are not rewritten by a save of the rest)."""
        changes = {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "version" and name not in HOURS_FIELDS
        }
        hours = self._hours(submitted=True)
        if hours != self._hours(submitted=False):
            changes["hours"] = hours
        return changes


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


class CoverageForm(forms.Form):
    """Which area and which kind of service the 地域診断 shows."""

    region = forms.ModelChoiceField(
        label=_("圏域"), queryset=Region.objects.order_by("name"), to_field_name="slug", empty_label=None
    )
    group = forms.ChoiceField(label=_("サービスの分類"))

    def __init__(self, data, *, groups):
        super().__init__(data)
        self.fields["group"].choices = groups


IMPORT_MAX_MEGABYTES = 20  # a prefecture's WAM NET file is a few MB; larger files: the commands


class OpenDataImportForm(forms.Form):
    """An open-data file to import (directory/import_views.py); the importer checks what is in it."""

    file = forms.FileField(label=_("CSVファイル"))
    format = forms.ChoiceField(
        label=_("データの種類"),
        choices=[
            ("wam", _("WAM NET 障害福祉サービス等情報公表")),
            ("kaigo", _("介護サービス情報公表（厚生労働省）")),
        ],
        initial="wam",
        widget=forms.RadioSelect,
    )
    date = forms.DateField(
        label=_("データの日付"),
        help_text=_("ファイルが公表された日（または取得した日）。各資源の出典の日付になります。"),
        widget=DateInput,
    )
    dry_run = forms.BooleanField(label=_("まず確認だけ（保存しない）"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "%(megabytes)s MBまで。UTF-8（BOMの有無は問いません）またはShift_JIS（CP932）のCSV。"
        ) % {"megabytes": IMPORT_MAX_MEGABYTES}

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > IMPORT_MAX_MEGABYTES * 1024 * 1024:
            raise forms.ValidationError(
                _(
                    "ファイルが大きすぎます（%(size)s MB）。%(megabytes)s MBまでです。"
                    "大きなファイルは管理者がコマンド（import_wam / import_kaigo）で取り込めます。"
                )
                % {"size": f"{file.size / 1024 / 1024:.1f}", "megabytes": IMPORT_MAX_MEGABYTES}
            )
        return file

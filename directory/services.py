"""Every write to the catalogue goes through these functions.

Each validates the whole record with `full_clean()` inside one transaction, so a bad value is a
ValidationError naming the field and nothing is half-saved. History rows record who made the change.
"""

import functools
import hashlib
import operator
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.core import validators
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_update_with_history

from directory import geo, rules
from directory.choices import FeeKind, RatingCriterion, SuggestionStatus, Visibility
from directory.models import (
    SUGGESTIBLE_FIELDS,
    Category,
    Feature,
    Fee,
    OpeningHours,
    Organization,
    ProblemReport,
    Rating,
    RatingReply,
    Resource,
    StaleReminder,
    SuggestedEdit,
    Vacancy,
)
from directory.roles import is_coordinator
from directory.search import reading_of, resource_search_text

RESOURCE_M2M_FIELDS = ("categories", "service_area", "features")


class EditConflict(Exception):
    """The resource changed after the version the editor started from; nothing was written."""


def _validated_save(instance, *, by, update_fields=None):
    """full_clean(), then save with a history row naming `by` — the one way every write ends."""
    instance._history_user = by
    instance.full_clean()
    instance.save(update_fields=update_fields)
    return instance


def _assign(instance, fields, writer):
    """Set the given fields, refusing names the model does not have or that only the database sets."""
    for name, value in fields.items():
        if not hasattr(instance, name) or name in {"pk", "id", "created_at", "updated_at"}:
            raise TypeError(f"{writer}() got an unknown field {name!r}")
        setattr(instance, name, value)


def _save_resource(resource, *, by, m2m, fees=None, hours=None):
    if resource.visibility == Visibility.PRIVATE and resource.owner_id is None:
        resource.owner = by  # a private entry is its writer's own
    _validated_save(resource, by=by)
    for name, values in m2m.items():
        getattr(resource, name).set(values)
    if fees is not None:
        _replace_children(resource, Fee, fees)
    if hours is not None:
        _replace_children(resource, OpeningHours, hours)
    resource_refresh_derived(resource=resource)
    return resource


def monthly_fee_yen(fees) -> int | None:
    """What the fee lines add up to in a month, leaving out the 1割 share (set by the person's income
    bracket: 0, 9,300 or 37,200 yen); None when a line's amount is unknown or no line is recorded."""
    if not fees:
        return None
    total = 0
    for fee in fees:
        if fee.kind == FeeKind.PUBLIC_10_PERCENT:
            continue
        monthly = fee.monthly_yen()
        if monthly is None:
            return None
        total += monthly
    return total


def resource_refresh_derived(*, resource: Resource) -> None:
    """Recompute the fields kept for search, order and filters (search_text, reading, monthly_fee_yen,
    geo_cell)."""
    resource.search_text = resource_search_text(resource)
    resource.reading = reading_of(resource)
    resource.monthly_fee_yen = monthly_fee_yen(list(resource.fees.all()))
    resource.geo_cell = geo.grid_cell(resource.latitude, resource.longitude)
    Resource.objects.filter(pk=resource.pk).update(
        search_text=resource.search_text,
        reading=resource.reading,
        monthly_fee_yen=resource.monthly_fee_yen,
        geo_cell=resource.geo_cell,
    )


def with_derived_relations(resources):
    """The resources with what resource_refresh_derived reads, fetched with them."""
    return resources.select_related("organization", "municipality", "primary_category").prefetch_related(
        "categories", "features", "fees"
    )


def _refresh_derived_of(resources):
    for resource in with_derived_relations(resources).iterator(chunk_size=1000):
        resource_refresh_derived(resource=resource)


def _replace_children(resource, model, rows):
    """Replace a resource's fee or hours lines, validating each before any is written."""
    children = [model(resource=resource, **row) for row in rows]
    for child in children:
        child.full_clean(exclude=["resource"])
    model.objects.filter(resource=resource).delete()
    model.objects.bulk_create(children)


def _split_m2m(fields):
    return {name: fields.pop(name) for name in RESOURCE_M2M_FIELDS if name in fields}


@transaction.atomic
def resource_create(*, by=None, fees=None, hours=None, **fields) -> Resource:
    """Create a resource. `fees` and `hours` are lists of dicts of Fee / OpeningHours fields.
    Unless given, its kind (formal / informal) is that of its primary category."""
    m2m = _split_m2m(fields)
    if "kind" not in fields and "primary_category" in fields:
        fields["kind"] = fields["primary_category"].kind
    return _save_resource(Resource(**fields), by=by, m2m=m2m, fees=fees, hours=hours)


def resource_version(resource: Resource) -> str:
    """A tag that changes whenever the stored entry does: an edit, a verification or a vacancy report."""
    verified_at = resource.verified_at.isoformat() if resource.verified_at else ""
    state = f"{resource.pk}|{resource.updated_at.isoformat()}|{verified_at}|{resource.latest_vacancy_id}"
    return hashlib.sha256(state.encode()).hexdigest()[:32]


@transaction.atomic
def resource_update(
    *, resource: Resource, by=None, expected_versions=None, fees=None, hours=None, **fields
) -> Resource:
    """Change the given fields of a resource. Lists given for fees or hours replace the old ones.

    With `expected_versions` (the `resource_version` tags the editor started from), the row is locked and
    EditConflict raised, nothing written, unless its current version is one of them: no lost updates."""
    if expected_versions is not None:
        resource = Resource.objects.select_for_update().get(pk=resource.pk)
        current = resource_version(resource)
        if current not in expected_versions:
            raise EditConflict(current)
    m2m = _split_m2m(fields)
    _assign(resource, fields, "resource_update")
    return _save_resource(resource, by=by, m2m=m2m, fees=fees, hours=hours)


@transaction.atomic
def organization_create(*, by=None, **fields) -> Organization:
    """Create an organization (法人), validated, with a history row naming `by`."""
    return _validated_save(Organization(**fields), by=by)


@transaction.atomic
def organization_update(*, organization: Organization, by=None, **fields) -> Organization:
    """Change the given fields of an organization; its resources' search text follows its names."""
    _assign(organization, fields, "organization_update")
    _validated_save(organization, by=by)
    if fields.keys() & SEARCHED_NAMES:
        _refresh_derived_of(organization.resources.all())
    return organization


SEARCHED_NAMES = {"name", "name_kana", "aliases"}  # of an organization or a category, in its resources' text


@transaction.atomic
def category_create(**fields) -> Category:
    """Add a category (サービス種別) to the taxonomy, validated."""
    category = Category(**fields)
    category.full_clean()
    category.save()
    return category


@transaction.atomic
def category_update(*, category: Category, **fields) -> Category:
    """Change the given fields of a category; the search text of the resources filed under it (as primary
    or secondary category) follows its names and aliases."""
    _assign(category, fields, "category_update")
    category.full_clean()
    category.save()
    if fields.keys() & SEARCHED_NAMES:
        _refresh_derived_of(
            Resource.objects.filter(
                pk__in=Resource.objects.filter(
                    models.Q(primary_category=category) | models.Q(categories=category)
                ).values("pk")
            )
        )
    return category


@transaction.atomic
def resource_verify(*, resource: Resource, by, at=None) -> Resource:
    """Record that `by` confirmed the entry is true (確認日).

    Confirming is not editing: `updated_at` stays as it was."""
    resource.verified_at = at or timezone.now()
    resource.verified_by = by
    return _validated_save(resource, by=by, update_fields=["verified_at", "verified_by"])


@transaction.atomic
def vacancy_report(
    *, resource: Resource, by, places: int, as_of=None, places_by_weekday=None, note=""
) -> Vacancy:
    """Record a vacancy report: how many places are free, as of when, reported by whom."""
    vacancy = Vacancy(
        resource=resource,
        places=places,
        as_of=as_of or timezone.now(),
        places_by_weekday=places_by_weekday or {},
        note=note,
        reported_by=by,
    )
    _validated_save(vacancy, by=by)
    latest = resource.latest_vacancy
    if latest is None or (vacancy.as_of, vacancy.pk) >= (latest.as_of, latest.pk):
        resource.latest_vacancy = vacancy
        Resource.objects.filter(pk=resource.pk).update(latest_vacancy=vacancy)
    return vacancy


# ---------------------------------------------------------------- ratings, corrections and reminders
#
# The rules of who may do what are directory.rules; each function refuses a caller they do not allow
# (PermissionDenied), so no page or API can do more than the rules say.

EDIT_CONFLICT_MESSAGE = gettext_lazy(
    "この情報は、読み込んだ後にほかの人が変更しました。読み込み直してから編集してください。"
)


def _require(allowed, message):
    if not allowed:
        raise PermissionDenied(message)


@transaction.atomic
def rating_save(*, resource: Resource, by, comment="", based_on_use=False, **scores) -> Rating:
    """Give or replace `by`'s rating of a resource: the scores of the criteria (1–5, None for わからない),
    a comment for professionals, whether it rests on actual use. Replacing keeps the old version in the
    rating's history and renews its date, so it counts again for RATING_WINDOW_MONTHS."""
    _require(rules.may_rate(by, resource), gettext_lazy("この資源を評価することはできません。"))
    unknown = set(scores) - set(RatingCriterion.values)
    if unknown:
        raise TypeError(f"rating_save() got unknown criteria {sorted(unknown)}")
    rating = Rating.objects.filter(resource=resource, user=by).first() or Rating(resource=resource, user=by)
    for criterion in RatingCriterion.values:
        setattr(rating, criterion, scores.get(criterion))
    rating.comment, rating.based_on_use = comment, based_on_use
    given = [score for _criterion, score in rating.scores if isinstance(score, int)]
    rating.score = sum(given) / len(given) if given else None
    return _validated_save(rating, by=by)


@transaction.atomic
def rating_reply_save(*, resource: Resource, by, text: str) -> RatingReply:
    """The provider's one reply to its entry's ratings, written or rewritten (with history). It never
    changes a rating."""
    _require(
        rules.may_reply(by, resource),
        gettext_lazy("返信できるのは、この事業所の法人のサービス管理責任者です。"),
    )
    reply = RatingReply.objects.filter(resource=resource).first() or RatingReply(resource=resource)
    reply.text, reply.author = text, by
    return _validated_save(reply, by=by)


def _field_value(resource, name, text):
    """A suggested value, typed in as text, as the model field holds it; ValidationError when it cannot."""
    model_field = Resource._meta.get_field(name)
    text = text.strip()
    if text == "" and model_field.null:
        return None
    value = model_field.to_python(text)
    model_field.clean(value, resource)
    return value


@transaction.atomic
def suggestion_create(*, resource: Resource, by, field: str, new_value: str, reason: str) -> SuggestedEdit:
    """Suggest a change to one core fact of an entry (SUGGESTIBLE_FIELDS) for a coordinator to decide."""
    _require(
        rules.may_suggest(by, resource), gettext_lazy("この資源は直接編集できます。修正の提案はいりません。")
    )
    if field not in SUGGESTIBLE_FIELDS:
        raise ValidationError({"field": gettext_lazy("この項目は提案できません。")})
    try:
        _field_value(resource, field, new_value)
    except ValidationError as error:
        raise ValidationError({"new_value": error.messages}) from None
    if new_value.strip() == resource.field_text(field):
        raise ValidationError({"new_value": gettext_lazy("今の値と同じです。")})
    suggestion = SuggestedEdit(
        resource=resource,
        field=field,
        old_value=resource.field_text(field),
        new_value=new_value.strip(),
        reason=reason,
        suggested_by=by,
    )
    return _validated_save(suggestion, by=by)


def _decide(suggestion, by, status, note):
    _require(is_coordinator(by), gettext_lazy("修正提案を判断できるのはコーディネーターです。"))
    suggestion = SuggestedEdit.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.status != SuggestionStatus.PENDING:
        raise ValidationError(gettext_lazy("この提案はすでに判断されています。"))
    suggestion.status, suggestion.decided_by, suggestion.decided_at = status, by, timezone.now()
    suggestion.decision_note = note
    return suggestion


@transaction.atomic
def suggestion_approve(*, suggestion: SuggestedEdit, by, note="") -> SuggestedEdit:
    """Apply a suggested edit through resource_update (a history row naming the coordinator, its reason
    naming the suggestion) and record the decision."""
    suggestion = _decide(suggestion, by, SuggestionStatus.APPROVED, note)
    resource = suggestion.resource
    resource._change_reason = f"修正提案 #{suggestion.pk}（{suggestion.suggested_by.get_username()}）"
    resource_update(
        resource=resource,
        by=by,
        **{suggestion.field: _field_value(resource, suggestion.field, suggestion.new_value)},
    )
    return _validated_save(suggestion, by=by)


@transaction.atomic
def suggestion_reject(*, suggestion: SuggestedEdit, by, note="") -> SuggestedEdit:
    """Record that a coordinator decided against a suggested edit; the entry is left as it is."""
    return _validated_save(_decide(suggestion, by, SuggestionStatus.REJECTED, note), by=by)


@transaction.atomic
def problem_report(*, resource: Resource, by, kind: str, note="") -> ProblemReport:
    """Anyone signed in who sees an entry may say something is wrong with it; coordinators see it in
    their queue."""
    _require(rules.may_report_problem(by, resource), gettext_lazy("問題を報告するにはログインしてください。"))
    return _validated_save(ProblemReport(resource=resource, kind=kind, note=note, reported_by=by), by=by)


@transaction.atomic
def problem_resolve(*, report: ProblemReport, by) -> ProblemReport:
    _require(is_coordinator(by), gettext_lazy("問題の報告に対応済みとするのはコーディネーターです。"))
    report.resolved_by, report.resolved_at = by, timezone.now()
    return _validated_save(report, by=by)


@transaction.atomic
def stale_reminder_record(*, organization: Organization, recipients, resource_count: int) -> StaleReminder:
    """Record that an organization was sent a reminder (remind_stale does not send another within its
    period)."""
    reminder = StaleReminder(
        organization=organization, recipients=", ".join(recipients), resource_count=resource_count
    )
    return _validated_save(reminder, by=None)


# ---------------------------------------------------------------- bulk writes (the open-data importers)
#
# Importing the national open data writes hundreds of thousands of resources. One full_clean() and save()
# each (every unique and check constraint asked of the database, a query per many-to-many set, a history
# row for the save and another for the set) took about 28 ms a row. The functions below keep the rules of
# the ones above with set-wise SQL: each write is validated by its fields' validators in Python (the
# database enforces the unique and check constraints and the foreign keys), the rows, their children and
# their history rows go in together inside one savepoint, and when the database refuses a batch, each write
# is tried again alone, so that only the ones it refuses are left out. A resource is written whole (row,
# hours, features, derived fields, history) or not at all. Call them inside a transaction.

BULK_BATCH_SIZE = 500
MAX_ROWS_PER_INSERT = 256


@dataclass(eq=False)
class ResourceWrite:
    """A resource to create (never saved) or to update, for resource_bulk_save.

    `fields` names the fields given new values: they are validated, and for an update only they are
    written. `features`, when given, is the whole new set of features; `hours` (dicts of OpeningHours
    fields), when given, replaces the opening hours."""

    resource: Resource
    fields: frozenset = frozenset()
    features: list | None = None
    hours: list | None = None
    creating: bool = field(init=False)

    def __post_init__(self):
        self.creating = self.resource._state.adding


def resource_bulk_save(writes, *, by=None, reason="") -> list[tuple[ResourceWrite, Exception]]:
    """Validate and save resources in bulk, each with its features, opening hours, derived fields (search
    text, grid cell; the monthly fee of a new one) and a history row naming `by` (with the snapshot of its
    many-to-many fields). Returns the writes left out, each with the ValidationError or DatabaseError that
    says why; every other write is saved whole."""
    failed, valid = [], []
    for write in writes:
        try:
            _validate_fields(write.resource, write.fields)
            _validate_lines(OpeningHours, write.hours or ())
        except ValidationError as error:
            failed.append((write, error))
        else:
            valid.append(write)
    saved = _many_to_many_rows([write.resource.pk for write in valid if not write.creating])
    _refresh_derived_in_memory(valid, saved)

    def reset(write):
        if write.creating:
            write.resource.pk, write.resource._state.adding = None, True

    failed += _all_or_each(valid, lambda batch: _write_resources(batch, saved, by, reason), reset)
    return failed


def organization_bulk_save(
    *, created=(), updated=(), by=None, reason=""
) -> list[tuple[Organization, Exception]]:
    """Validate and save organizations in bulk with their history rows: `created` are new Organization
    objects, `updated` (organization, names of the fields given new values) pairs. Returns those left out,
    each with why (see resource_bulk_save)."""
    fields_of = {id(organization): None for organization in created}
    fields_of.update({id(organization): frozenset(names) for organization, names in updated})
    failed, valid = [], []
    for organization in [*created, *(organization for organization, _ in updated)]:
        try:
            _validate_fields(organization, fields_of[id(organization)])
        except ValidationError as error:
            failed.append((organization, error))
        else:
            valid.append(organization)

    def write(batch):
        now = timezone.now()
        new = [organization for organization in batch if fields_of[id(organization)] is None]
        history = {
            "history_date": now,
            "history_change_reason": reason,
            "history_user_id": by.pk if by else None,
        }
        _insert_history(new, _insert(new), history_type="+", **history)
        groups = defaultdict(list)
        for organization in batch:
            if fields_of[id(organization)] is not None:
                organization.updated_at = now
                groups[tuple(sorted(fields_of[id(organization)] | {"updated_at"}))].append(organization)
        for names, organizations in groups.items():
            bulk_update_with_history(
                organizations,
                Organization,
                list(names),
                batch_size=BULK_BATCH_SIZE,
                default_user=by,
                default_change_reason=reason,
            )

    def reset(organization):
        if fields_of[id(organization)] is None:
            organization.pk, organization._state.adding = None, True

    return failed + _all_or_each(valid, write, reset)


def _validate_fields(instance, names):
    """clean_fields() of the named fields (all when None), then the model's clean(): nothing that asks the
    database (relations, unique and check constraints are the database's to enforce). A string within a
    plain CharField's length, the common case, is passed without calling its validators, which check just
    that."""
    errors = {}
    for model_field in _validated_fields(type(instance), names):
        value = getattr(instance, model_field.attname)
        if model_field.blank and value in model_field.empty_values:
            continue
        if type(value) is str and length_only(model_field) and fits(model_field, value):
            continue
        try:
            setattr(instance, model_field.attname, model_field.clean(value, instance))
        except ValidationError as error:
            errors[model_field.name] = error.error_list
    if errors:
        raise ValidationError(errors)
    instance.clean()


@functools.lru_cache(maxsize=64)
def _validated_fields(model, names) -> list:
    return [
        model_field
        for model_field in model._meta.fields
        if not (model_field.generated or model_field.is_relation)
        and (names is None or model_field.name in names)
    ]


@functools.cache
def length_only(model_field) -> bool:
    """Whether a field without choices validates a string by its length and the absence of NUL alone (its
    validators are a CharField's own); see fits()."""
    own = (validators.MaxLengthValidator, validators.ProhibitNullCharactersValidator)
    return (
        isinstance(model_field, models.CharField)
        and not model_field.choices
        and all(isinstance(validator, own) for validator in model_field.validators)
    )


def fits(model_field, text) -> bool:
    """What the validators of a length_only() field accept."""
    return len(text) <= model_field.max_length and "\x00" not in text


def _validate_lines(model, lines):
    """clean_fields() of child lines given as dicts of field values, without building model objects."""
    for line in lines:
        errors = {}
        for name, value in line.items():
            model_field = model._meta.get_field(name)
            if not (model_field.blank and value in model_field.empty_values):
                try:
                    model_field.clean(value, None)
                except ValidationError as error:
                    errors[name] = error.error_list
        if errors:
            raise ValidationError(errors)


def _all_or_each(items, write, reset) -> list:
    """write(items) in one savepoint; when the database refuses, write(item) for each alone, so that only
    the items it refuses are left out. Returns [(item, DatabaseError)]. `reset` undoes what a rolled-back
    attempt left on an item (a primary key of a row that no longer exists)."""
    if not items:
        return []
    try:
        with transaction.atomic():
            write(items)
        return []
    except DatabaseError:
        pass
    failed = []
    for item in items:
        reset(item)
        try:
            with transaction.atomic():
                write([item])
        except DatabaseError as error:
            reset(item)
            failed.append((item, error))
    return failed


class _Listed:
    def __init__(self, items):
        self.items = list(items)

    def all(self):
        return self.items


class _KnownRelations:
    """A resource as resource_search_text reads it, with its categories and features given rather than
    asked of the database (it may have no primary key yet)."""

    def __init__(self, resource, categories, features):
        self._resource = resource
        self.categories, self.features = _Listed(categories), _Listed(features)

    def __getattr__(self, name):
        return getattr(self._resource, name)


def _many_to_many_rows(pks) -> dict[str, dict[int, list[tuple[int, int]]]]:
    """{m2m field: {resource pk: [(through row id, related pk), …]}} as saved."""
    rows = {}
    for name in RESOURCE_M2M_FIELDS:
        model_field = Resource._meta.get_field(name)
        related = f"{model_field.m2m_reverse_field_name()}_id"
        by_resource = defaultdict(list)
        for start in range(0, len(pks), BULK_BATCH_SIZE):
            chunk = model_field.remote_field.through.objects.filter(
                resource_id__in=pks[start : start + BULK_BATCH_SIZE]
            )
            for row_id, resource_id, related_id in chunk.values_list("id", "resource_id", related):
                by_resource[resource_id].append((row_id, related_id))
        rows[name] = by_resource
    return rows


def _refresh_derived_in_memory(writes, saved):
    """resource_refresh_derived without the database: the derived fields from what the writes hold."""
    category_ids = {related for rows in saved["categories"].values() for _, related in rows}
    feature_ids = {related for rows in saved["features"].values() for _, related in rows}
    categories = Category.objects.in_bulk(category_ids) if category_ids else {}
    features = Feature.objects.in_bulk(feature_ids) if feature_ids else {}
    for write in writes:
        resource = write.resource
        pk = None if write.creating else resource.pk
        categories_of = [categories[related] for _, related in saved["categories"].get(pk, ())]
        features_of = (
            write.features
            if write.features is not None
            else [features[related] for _, related in saved["features"].get(pk, ())]
        )
        derived = {
            "search_text": resource_search_text(_KnownRelations(resource, categories_of, features_of)),
            "reading": reading_of(resource),
            "geo_cell": geo.grid_cell(resource.latitude, resource.longitude),
        }
        if write.creating:
            derived["monthly_fee_yen"] = monthly_fee_yen([])  # a new resource has no fee lines
        changed = {name for name, value in derived.items() if getattr(resource, name) != value}
        for name in changed:
            setattr(resource, name, derived[name])
        write.fields = write.fields | changed


def _write_resources(writes, saved, by, reason):
    now = timezone.now()
    created = [write for write in writes if write.creating]
    updated = [write for write in writes if not write.creating]
    resources = [write.resource for write in created]
    prepared = _insert(resources)
    groups = defaultdict(list)
    for write in updated:
        write.resource.updated_at = now  # what save() does for auto_now; bulk_update does not
        groups[tuple(sorted(write.fields | {"updated_at"}))].append(write.resource)
    for names, group in groups.items():
        Resource.objects.bulk_update(group, list(names), batch_size=BULK_BATCH_SIZE)

    # Features: the new sets replace the old ones; the rows written are kept for the history snapshot.
    snapshot = {name: dict(rows) for name, rows in saved.items()}
    features = [write for write in writes if write.features is not None]
    through = Resource.features.through
    _delete_where_resource(through, [write.resource.pk for write in features if not write.creating])
    new_rows = [
        through(resource_id=write.resource.pk, feature_id=feature.pk)
        for write in features
        for feature in write.features
    ]
    _insert(new_rows)
    for write in features:
        snapshot["features"][write.resource.pk] = []
    for row in new_rows:
        snapshot["features"][row.resource_id].append((row.pk, row.feature_id))

    hours = [write for write in writes if write.hours is not None]
    _delete_where_resource(OpeningHours, [write.resource.pk for write in hours if not write.creating])
    lines = [
        SimpleNamespace(resource_id=write.resource.pk, **line) for write in hours for line in write.hours
    ]
    _insert(lines, model=OpeningHours, returning=False)

    history = {"history_date": now, "history_change_reason": reason, "history_user_id": by.pk if by else None}
    records = [
        *_insert_history(resources, prepared, history_type="+", **history),
        *_insert_history([write.resource for write in updated], None, history_type="~", **history),
    ]
    _insert_history_many_to_many(records, snapshot)


def _delete_where_resource(model, pks):
    for start in range(0, len(pks), BULK_BATCH_SIZE):
        model.objects.filter(resource_id__in=pks[start : start + BULK_BATCH_SIZE]).delete()


# Django's bulk_create spends about 10 µs of Python on each value it inserts (and simple_history's
# bulk_history_create first builds a model object per history row): for the ~100 values a new resource
# and its history row hold, that was most of an import's time. The rows below are written with multi-row
# INSERT … RETURNING statements on SQLite and COPY on PostgreSQL, their values prepared by each field as
# bulk_create prepares them. simple_history's bulk_create_with_history would also leave out the
# snapshot of the many-to-many fields that each history row of a Resource carries.


# Field classes whose database value is the Python value itself when it is of the field's type (what
# their get_db_prep_save returns for it, on SQLite and PostgreSQL alike).
PLAIN_FIELDS = (
    models.ForeignKey,
    models.BooleanField,
    models.IntegerField,
    models.FloatField,
    models.CharField,
)
PLAIN_TYPES = (str, int, float, type(None))  # and their subclasses: bool, TextChoices members


@functools.lru_cache(maxsize=64)
def _insert_fields(model) -> list:
    """The fields an INSERT writes (not the primary key), those whose value is written as it is first."""
    fields = [model_field for model_field in model._meta.concrete_fields if not model_field.primary_key]
    return [model_field for model_field in fields if _is_plain(model_field)] + [
        model_field for model_field in fields if not _is_plain(model_field)
    ]


def _is_plain(model_field) -> bool:
    """Whether the field's pre_save() only reads the attribute and its database value is the Python one
    (TextField is a plain field; DateField and its auto_now, TimeField, JSONField are not)."""
    reads = type(model_field).pre_save is models.Field.pre_save
    return reads and isinstance(model_field, (*PLAIN_FIELDS, models.TextField))


@functools.lru_cache(maxsize=64)
def _readers(model):
    """(a function reading the plain fields' values from an object's __dict__ at once, into a tuple; the
    plain fields; the others)"""
    fields = _insert_fields(model)
    plain = [model_field for model_field in fields if _is_plain(model_field)]
    read = (
        operator.itemgetter(*(model_field.attname for model_field in plain)) if plain else lambda values: ()
    )
    return (read if len(plain) != 1 else lambda values: (read(values),)), plain, fields[len(plain) :]


def _db_values(model, obj, connection, prepared, now=None) -> list:
    """What bulk_create writes for an object: each field's database value, auto_now fields set to `now`
    when given (a new object). The plain fields are read in one step when their values are of plain types
    (as clean_fields() leaves them); the others are prepared once per value (`prepared` remembers them: a
    batch repeats its dates)."""
    read, plain, others = _readers(model)
    try:
        values = list(read(obj.__dict__))
    except KeyError:  # a deferred field: read them one by one
        values = [object()]
    if not all(issubclass(kind, PLAIN_TYPES) for kind in set(map(type, values))):
        values = [
            model_field.get_db_prep_save(getattr(obj, model_field.attname), connection)
            for model_field in plain
        ]
    for model_field in others:
        if now is None or type(model_field).pre_save is models.Field.pre_save:
            value = getattr(obj, model_field.attname)
        elif isinstance(model_field, models.DateTimeField):  # auto_now: one time for the whole batch
            if model_field.auto_now or model_field.auto_now_add:
                setattr(obj, model_field.attname, now)
            value = getattr(obj, model_field.attname)
        else:
            value = model_field.pre_save(obj, True)
        try:
            if (model_field, value) not in prepared:
                prepared[model_field, value] = model_field.get_db_prep_save(value, connection)
            values.append(prepared[model_field, value])
        except TypeError:  # an unhashable value (JSON)
            values.append(model_field.get_db_prep_save(value, connection))
    return values


def _insert(objects, *, model=None, returning=True) -> list[list]:
    """INSERT new objects of a model, setting their primary keys when `returning`. Returns each one's
    database values, in the order of _insert_fields."""
    if not objects:
        return []
    model, connection = model or type(objects[0]), connections[DEFAULT_DB_ALIAS]
    now, prepared = timezone.now(), {}
    rows = [_db_values(model, obj, connection, prepared, now) for obj in objects]
    keys = _insert_rows(model, _insert_fields(model), rows, returning=returning)
    for obj, key in zip(objects, keys, strict=False):
        obj.pk = key
        obj._state.adding, obj._state.db = False, DEFAULT_DB_ALIAS
    return rows


def _insert_rows(model, fields, rows, *, returning) -> list:
    """INSERT rows of database values, many a statement; the new primary keys, in order, when `returning`.

    A statement holds a power of two of rows (at most MAX_ROWS_PER_INSERT, within the database's parameter
    limit): the driver keeps each statement it prepares, and any number of rows is written with a handful
    of statement shapes per table rather than a new one (of up to megabytes) for every batch."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "postgresql":
        return _copy_rows(connection, model, fields, rows, returning=returning)
    quote = connection.ops.quote_name
    if connection.vendor == "sqlite" and hasattr(connection.connection, "getlimit"):
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    else:
        limit = connection.features.max_query_params or 65535
    most = 1 << (min(MAX_ROWS_PER_INSERT, limit // len(fields)).bit_length() - 1)
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
    tail = f" RETURNING {quote(model._meta.pk.column)}" if returning else ""
    # Django turns each %s into SQLite's ? with a regular expression over the whole statement, which costs
    # more than running it when it holds thousands: SQLite's own placeholder is written here instead. Not
    # when statements are logged (DEBUG, or a test counting queries): the debug cursor formats the statement
    # with its parameters in Django's %s style and fails on one written with ?.
    sqlite_style = connection.vendor == "sqlite" and not connection.queries_logged
    placeholder = "?" if sqlite_style else "%s"
    placeholders = "(" + ", ".join([placeholder] * len(fields)) + ")"
    keys, start = [], 0
    with connection.cursor() as cursor:
        while start < len(rows):
            size = min(most, 1 << ((len(rows) - start).bit_length() - 1))
            chunk = rows[start : start + size]
            cursor.execute(
                head + ", ".join([placeholders] * size) + tail, [value for row in chunk for value in row]
            )
            if returning:
                keys += [key for (key,) in cursor.fetchall()]
            start += size
    return keys


def _copy_rows(connection, model, fields, rows, *, returning) -> list:
    """PostgreSQL: COPY the rows, an order of magnitude faster than INSERT statements of the same rows
    (Django binds parameters on the client, so each would be parsed anew); the new primary keys are
    drawn from the table's sequence first and written with them."""
    quote = connection.ops.quote_name
    table, pk = model._meta.db_table, model._meta.pk
    keys = []
    with connection.cursor() as cursor:
        if returning:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk.column, len(rows)],
            )
            keys = [key for (key,) in cursor.fetchall()]
            fields, rows = [pk, *fields], [(key, *row) for key, row in zip(keys, rows, strict=True)]
        columns = ", ".join(quote(model_field.column) for model_field in fields)
        with cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    return keys


def _insert_history(objects, prepared, **history) -> list[tuple[int, int]]:
    """The history rows simple_history's bulk_history_create writes (one per object: its tracked fields
    and who, when, why and how), from the values just inserted when given. Returns (history id, object
    id) pairs."""
    if not objects:
        return []
    model, connection = type(objects[0]), connections[DEFAULT_DB_ALIAS]
    history_model = model.history.model
    inserted = [model_field.attname for model_field in _insert_fields(model)]
    tracked = [model_field.attname for model_field in history_model.tracked_fields]
    copied = [name for name in inserted if name in tracked]
    pick = operator.itemgetter(*(inserted.index(name) for name in copied))
    extra = [model_field for model_field in _insert_fields(history_model) if model_field.attname in history]
    extra_values = tuple(
        model_field.get_db_prep_save(history[model_field.attname], connection) for model_field in extra
    )
    fields = [
        history_model._meta.get_field(model._meta.pk.attname),
        *(history_model._meta.get_field(name) for name in copied),
        *extra,
    ]
    memo = {}
    rows = [
        (
            obj.pk,
            *pick(values if values is not None else _db_values(model, obj, connection, memo)),
            *extra_values,
        )
        for obj, values in zip(objects, prepared or [None] * len(objects), strict=True)
    ]
    keys = _insert_rows(history_model, fields, rows, returning=True)
    return list(zip(keys, (obj.pk for obj in objects), strict=True))


def _insert_history_many_to_many(records, snapshot):
    """What simple_history's bulk_history_create leaves out: each history row's snapshot of the
    many-to-many fields (a save() writes it through create_historical_record_m2ms)."""
    for name in RESOURCE_M2M_FIELDS:
        model_field = Resource._meta.get_field(name)
        history_model = getattr(Resource.history.model, name).model
        related = f"{model_field.m2m_reverse_field_name()}_id"
        rows = snapshot[name]
        snapshots = [
            history_model(history_id=history_id, id=row_id, resource_id=resource_id, **{related: related_id})
            for history_id, resource_id in records
            for row_id, related_id in rows.get(resource_id, ())
        ]
        _insert(snapshots, returning=False)

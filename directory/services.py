"""Every write to the catalogue goes through these functions.

Each validates the whole record with `full_clean()` inside one transaction, so a bad value is a
ValidationError naming the field and nothing is half-saved. History rows record who made the change.
"""

import hashlib

from django.db import transaction
from django.utils import timezone

from directory import geo
from directory.choices import FeeKind, Visibility
from directory.models import Fee, OpeningHours, Organization, Resource, Vacancy
from directory.search import resource_search_text

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
    """Recompute the fields kept for search and filters (search_text, monthly_fee_yen, geo_cell)."""
    resource.search_text = resource_search_text(resource)
    resource.monthly_fee_yen = monthly_fee_yen(list(resource.fees.all()))
    resource.geo_cell = geo.grid_cell(resource.latitude, resource.longitude)
    Resource.objects.filter(pk=resource.pk).update(
        search_text=resource.search_text, monthly_fee_yen=resource.monthly_fee_yen, geo_cell=resource.geo_cell
    )


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
        if resource_version(resource) not in expected_versions:
            raise EditConflict(resource_version(resource))
    m2m = _split_m2m(fields)
    _assign(resource, fields, "resource_update")
    return _save_resource(resource, by=by, m2m=m2m, fees=fees, hours=hours)


@transaction.atomic
def organization_create(*, by=None, **fields) -> Organization:
    """Create an organization (法人), validated, with a history row naming `by`."""
    return _validated_save(Organization(**fields), by=by)


@transaction.atomic
def organization_update(*, organization: Organization, by=None, **fields) -> Organization:
    """Change the given fields of an organization."""
    _assign(organization, fields, "organization_update")
    return _validated_save(organization, by=by)


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

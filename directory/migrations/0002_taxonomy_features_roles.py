from django.db import migrations

from directory.taxonomy import CATEGORIES, FEATURES

ROLE_NAMES = ("planner", "service_manager", "coordinator")


def sync_taxonomy(apps, schema_editor):
    """Insert or update the shipped categories and features (by slug); never deletes."""
    Category = apps.get_model("directory", "Category")
    Feature = apps.get_model("directory", "Feature")
    by_slug = {}
    for spec in CATEGORIES:
        category, _ = Category.objects.update_or_create(
            slug=spec.slug,
            defaults={
                "code": spec.code,
                "name": spec.name,
                "name_kana": spec.name_kana,
                "name_en": spec.name_en,
                "kind": spec.kind,
                "parent": by_slug[spec.parent] if spec.parent else None,
                "aliases": "\n".join(spec.aliases),
            },
        )
        by_slug[spec.slug] = category
    for spec in FEATURES:
        Feature.objects.update_or_create(slug=spec.slug, defaults={"name": spec.name, "name_en": spec.name_en})
    Group = apps.get_model("auth", "Group")
    for name in ROLE_NAMES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(sync_taxonomy, migrations.RunPython.noop)]

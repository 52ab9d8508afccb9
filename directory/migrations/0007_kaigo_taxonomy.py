"""The 介護保険サービス categories and the three 共生型 features (import_kaigo), loaded from
directory/taxonomy.py by the loader of 0002. Aliases a coordinator added to a shipped category since (an
open-data service type mapped by hand) are kept: the loader would reset them to the shipped ones."""

from importlib import import_module

from django.db import migrations

sync_taxonomy = import_module("directory.migrations.0002_taxonomy_features_roles").sync_taxonomy


def load_taxonomy_keeping_aliases(apps, schema_editor):
    Category = apps.get_model("directory", "Category")
    added = dict(Category.objects.values_list("slug", "aliases"))
    sync_taxonomy(apps, schema_editor)
    for category in Category.objects.filter(slug__in=added):
        shipped = category.aliases.splitlines()
        kept = [line for line in added[category.slug].splitlines() if line.strip() and line not in shipped]
        if kept:
            category.aliases = "\n".join([*shipped, *kept])
            category.save(update_fields=["aliases"])


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0006_geo_index_covers_listing"),
    ]

    operations = [migrations.RunPython(load_taxonomy_keeping_aliases, migrations.RunPython.noop)]

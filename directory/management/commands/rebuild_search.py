"""Recompute every resource's derived search fields and rebuild the text index.

    python manage.py rebuild_search

The service layer keeps search_text, the reading order, monthly_fee_yen and the grid cell in step on every
write to a resource, to an organization's names and to a category's names and aliases. Run this after
changes it does not see: rows written in bulk or behind the service layer, a municipality renamed.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from tqdm import tqdm

from directory.models import Resource
from directory.search import rebuild_search_index, refresh_planner_statistics
from directory.services import resource_refresh_derived, with_derived_relations


class Command(BaseCommand):
    help = "Recompute search_text, monthly fees and grid cells of every resource and rebuild the index."

    def handle(self, *args, **options):
        resources = with_derived_relations(Resource.objects.all())
        total = resources.count()
        with transaction.atomic():
            for resource in tqdm(
                resources.iterator(chunk_size=1000), total=total, disable=not self.stderr.isatty()
            ):
                resource_refresh_derived(resource=resource)
            rebuild_search_index()
        refresh_planner_statistics()
        self.stdout.write(f"{total} resources re-indexed.")

"""The management command of an open-data importer (import_wam, import_kaigo): arguments, the report
and the exit status are the same for every format."""

import argparse
import time
from datetime import date

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from directory.importers.common import EXIT_FILE_UNREADABLE
from directory.importers.opendata import OpenDataFileError


def iso_date(text):
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


class ImportCommand(BaseCommand):
    """Subclasses name their `importer` (an opendata.Importer subclass) and `file_help`."""

    importer = None
    file_help = "open-data CSV file"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help=self.file_help)
        parser.add_argument(
            "--date",
            type=iso_date,
            help="the date of the files' data, kept as each resource's source date (default: today)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="do everything, report it, then roll it all back"
        )

    def handle(self, *args, files, date, dry_run, **options):
        started = time.monotonic()
        try:
            result = self.importer.import_files(
                files,
                date=date or timezone.localdate(),
                dry_run=dry_run,
                progress=self.stderr.isatty(),
            )
        except OpenDataFileError as error:
            raise CommandError(str(error), returncode=EXIT_FILE_UNREADABLE) from None
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None

        write = self.stdout.write
        for problem in result.problems:
            self.stderr.write(str(problem))
        for file in result.files:
            write(f"{file.label}: read as {file.encoding}, {file.rows} rows")
        write(f"Resources: {result.summary()}")
        write(f"Organizations: {result.organizations}")
        for unmapped in result.unmapped.values():
            write(
                f"Unmapped service type {unmapped.name!r}: {unmapped.rows} rows under the category "
                f"{unmapped.slug!r}; map it to a category (add the name to its aliases)"
            )
        if result.marked_multifunction:
            write(f"Other resources marked 多機能型 (multifunction): {result.marked_multifunction}")
        write(f"Flagged missing from source: {result.flagged_missing}")
        if dry_run:
            write("Dry run: nothing was saved.")
        write(f"Source date {result.date.isoformat()}; took {time.monotonic() - started:.1f} s")
        if result.skipped_rows:
            skipped = result.skipped_rows
            rows = "1 row was" if skipped == 1 else f"{skipped} rows were"
            raise CommandError(
                f"{rows} skipped: they could not be imported (see above); the other rows were imported"
                + (" (dry run: nothing was saved)" if dry_run else ""),
                returncode=result.exit_status,
            )

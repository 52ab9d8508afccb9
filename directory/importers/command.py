"""The management command of an open-data importer (import_wam, import_kaigo): arguments, the report
and the exit status are the same for every format."""

import argparse
from datetime import date

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.importers.common import EXIT_FILE_UNREADABLE, in_site_language
from directory.importers.opendata import OpenDataFileError
from directory.importers.run import run_import


def iso_date(text):
    try:
        return date.fromisoformat(text)
    except ValueError:
        message = _("%(text)s は日付（YYYY-MM-DD）ではありません") % {"text": repr(text)}
        raise argparse.ArgumentTypeError(message) from None


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

    @in_site_language
    def handle(self, *args, files, date, dry_run, **options):
        try:
            report = run_import(
                self.importer,
                files,
                date=date or timezone.localdate(),
                dry_run=dry_run,
                progress=self.stderr.isatty(),
            )
        except OpenDataFileError as error:
            raise CommandError(str(error), returncode=EXIT_FILE_UNREADABLE) from None
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None

        for line in report.problem_lines():
            self.stderr.write(line)
        for line in report.summary_lines():
            self.stdout.write(line)
        skipped = report.skipped_message()
        if skipped:
            raise CommandError(skipped, returncode=report.result.exit_status)

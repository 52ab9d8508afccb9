"""Running an open-data import and reporting it, the same way for the management commands (import_wam,
import_kaigo) and the coordinator's page (directory/import_views.py): one function runs it and times it, one
report says what it did.

Every message (a row's reason, a file error, the summary) is a Japanese msgid put through gettext when it is
written, so it comes out in the language active then: the request's on the page (the import runs inside the
request), the site's (settings.LANGUAGE_CODE, Japanese) in the commands (common.in_site_language)."""

import time
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from directory.importers.kaigo import KaigoImporter
from directory.importers.opendata import Importer, ImportResult
from directory.importers.wam import WamImporter

# The formats a person may choose, by a stable key (the page's form).
FORMATS: dict[str, type[Importer]] = {"wam": WamImporter, "kaigo": KaigoImporter}


@dataclass
class ImportReport:
    """What an import did (result) and how long it took."""

    result: ImportResult
    seconds: float

    @property
    def dry_run(self) -> bool:
        return self.result.dry_run

    def problem_lines(self) -> list[str]:
        """Every skipped row and warning, one line each: file, line, column, value and what is wrong."""
        return [str(problem) for problem in self.result.problems]

    def summary_lines(self) -> list[str]:
        """The facts of the run: the files read, the counts, what needs a coordinator, whether it was
        saved."""
        result = self.result
        lines = [
            _("%(file)s: %(encoding)sとして読みました（%(rows)s行）")
            % {"file": file.label, "encoding": file.encoding, "rows": file.rows}
            for file in result.files
        ]
        lines += [
            _("資源: %(counts)s") % {"counts": result.summary()},
            _("法人: %(counts)s") % {"counts": result.organizations},
        ]
        lines += [
            _(
                "知らないサービス種別「%(name)s」: %(rows)s行をカテゴリ「%(slug)s」に入れました。"
                "正しいカテゴリに割り当ててください（そのカテゴリの別名にこの名前を加えます）"
            )
            % {"name": unmapped.name, "rows": unmapped.rows, "slug": unmapped.slug}
            for unmapped in result.unmapped.values()
        ]
        if result.marked_multifunction:
            lines.append(
                _("多機能型の印をつけた他の資源: %(count)s件") % {"count": result.marked_multifunction}
            )
        lines.append(_("元データにない印をつけた資源: %(count)s件") % {"count": result.flagged_missing})
        if result.dry_run:
            lines.append(_("確認だけ行いました。まだ何も保存していません。"))
        lines.append(
            _("データの日付 %(date)s、かかった時間 %(seconds)s秒")
            % {"date": result.date.isoformat(), "seconds": f"{self.seconds:.1f}"}
        )
        return lines

    def skipped_message(self) -> str | None:
        """What to say when rows were skipped (None when none was)."""
        skipped = self.result.skipped_rows
        if not skipped:
            return None
        message = ngettext(
            "%(rows)s行を読み飛ばしました。取り込めない行です（上を参照）。ほかの行は取り込みました",
            "%(rows)s行を読み飛ばしました。取り込めない行です（上を参照）。ほかの行は取り込みました",
            skipped,
        ) % {"rows": skipped}
        return message + (_("（確認だけなので何も保存していません）") if self.dry_run else "")

    def text(self) -> str:
        """The whole report as the command prints it (problems first)."""
        skipped = self.skipped_message()
        return "\n".join([*self.problem_lines(), *self.summary_lines(), *([skipped] if skipped else [])])


def run_import(
    importer: type[Importer], paths, *, date, dry_run, by=None, labels=None, progress=False
) -> ImportReport:
    """Import the files with the importer (see Importer.import_files: every file is checked first, the
    run is one transaction, a dry run is rolled back) and report it. `by` is the user the history rows
    name (None for the commands). Raises the importer's file error when a file cannot be used."""
    started = time.monotonic()
    result = importer.import_files(paths, date=date, dry_run=dry_run, by=by, labels=labels, progress=progress)
    return ImportReport(result, time.monotonic() - started)

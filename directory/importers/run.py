"""Running an open-data import and reporting it, the same way for the management commands (import_wam,
import_kaigo) and the coordinator's page (directory/import_views.py): one function runs it and times it, one
report says what it did."""

import time
from dataclasses import dataclass

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
        lines = [f"{file.label}: read as {file.encoding}, {file.rows} rows" for file in result.files]
        lines += [f"Resources: {result.summary()}", f"Organizations: {result.organizations}"]
        lines += [
            f"Unmapped service type {unmapped.name!r}: {unmapped.rows} rows under the category "
            f"{unmapped.slug!r}; map it to a category (add the name to its aliases)"
            for unmapped in result.unmapped.values()
        ]
        if result.marked_multifunction:
            lines.append(f"Other resources marked 多機能型 (multifunction): {result.marked_multifunction}")
        lines.append(f"Flagged missing from source: {result.flagged_missing}")
        if result.dry_run:
            lines.append("Dry run: nothing was saved.")
        lines.append(f"Source date {result.date.isoformat()}; took {self.seconds:.1f} s")
        return lines

    def skipped_message(self) -> str | None:
        """What to say when rows were skipped (None when none was)."""
        skipped = self.result.skipped_rows
        if not skipped:
            return None
        rows = "1 row was" if skipped == 1 else f"{skipped} rows were"
        return f"{rows} skipped: they could not be imported (see above); the other rows were imported" + (
            " (dry run: nothing was saved)" if self.dry_run else ""
        )

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

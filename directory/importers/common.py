"""What every importer shares: reading CSV records with the physical line each starts on, collecting the
problems of a row, counting what was written, and comparing incoming values with a saved row so that only
real changes are written (a second import of the same file changes nothing)."""

import csv
import functools
import io
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from directory.validators import validate_local_government_code

# Exit statuses of the import commands (0: every row imported, warnings allowed).
EXIT_FILE_UNREADABLE = 2  # a file is missing, undecodable or of the wrong format; nothing was imported
EXIT_ROWS_SKIPPED = 3  # some rows could not be read and were skipped; the others were imported

PREFECTURE_NUMBERS = range(1, 48)


class CsvSyntaxError(Exception):
    def __init__(self, line, reason):
        super().__init__(
            _("%(line)s行目: CSVとして読めません（%(reason)s）") % {"line": line, "reason": reason}
        )
        self.line, self.reason = line, reason


def in_site_language(handle):
    """A command's handle() reporting in the site's language (settings.LANGUAGE_CODE, Japanese), whatever
    language the thread was left in; Django's own messages in a report (a validator's) come in it too."""

    @functools.wraps(handle)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return handle(*args, **kwargs)

    return wrapper


def csv_stream(lines: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, cells) of every record, the header and blank ones included, of CSV
    text given line by line (a file opened with newline=""), read one record at a time.

    A quoted cell may hold line breaks, so a record can span several physical lines: the number given is
    that of its first line, the one a person finds in an editor."""
    reader = csv.reader(lines)
    end_of_previous = 0
    try:
        for cells in reader:
            start, end_of_previous = end_of_previous + 1, reader.line_num
            yield start, cells
    except csv.Error as error:
        raise CsvSyntaxError(reader.line_num, error) from None


def is_blank(cells: list[str]) -> bool:
    return not any(cell.strip() for cell in cells)


def csv_records(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(header, [(line where the record starts, cells), …]) of a decoded CSV text, blank lines left out."""
    records = csv_stream(io.StringIO(text, newline=""))
    _, header = next(records, (1, []))
    rows = [(line, cells) for line, cells in records if not is_blank(cells)]
    return [cell.strip() for cell in header], rows


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other):
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged

    def __str__(self):
        return _("新規 %(created)s、更新 %(updated)s、変更なし %(unchanged)s") % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


@dataclass
class RowProblems:
    """The problems found in one row, each as (column, value or None when the cell is missing, message)."""

    items: list[tuple[str, str | None, str]] = field(default_factory=list)

    def add(self, column, value, message):
        self.items.append((column, value, str(message)))

    def __bool__(self):
        return bool(self.items)


def as_record(source, cells: list[str], problems: RowProblems) -> dict[str, str] | None:
    """The cells of a row by column name (stripped), or None, with the problem, when the number of cells is
    not that of the header. `source` is anything with a `header` (the list of column names)."""
    width = len(source.header)
    if len(cells) < width:
        missing = source.header[len(cells)]
        problems.add(
            missing,
            None,
            _("列が足りません（この行は%(cells)s列、見出しは%(columns)s列）")
            % {"cells": len(cells), "columns": width},
        )
        return None
    if len(cells) > width:
        problems.add(
            _("%(number)s列目") % {"number": width + 1},
            cells[width],
            _("列が多すぎます（この行は%(cells)s列、見出しは%(columns)s列）")
            % {"cells": len(cells), "columns": width},
        )
        return None
    return {name: cell.strip() for name, cell in zip(source.header, cells, strict=True)}


def local_government_code(record, column, problems) -> str | None:
    """The 6-digit code with its check digit; a code whose leading zero was lost (11002) is padded."""
    value = record[column]
    code = value.zfill(6) if value.isascii() and value.isdigit() else value
    try:
        validate_local_government_code(code)
    except ValidationError as error:
        problems.add(column, value, " ".join(error.messages))
        return None
    if int(code[:2]) not in PREFECTURE_NUMBERS:
        problems.add(column, value, _("番号 %(number)s の都道府県はありません") % {"number": code[:2]})
        return None
    return code


def problem_text(label, line, column, value, message) -> str:
    """One problem as the importers report it: file, line, column, value and what is wrong."""
    where = {"file": label, "line": line, "column": column, "message": message}
    if value is None:
        return _("%(file)s %(line)s行目 列「%(column)s」: %(message)s") % where
    return _("%(file)s %(line)s行目 列「%(column)s」 = %(value)s: %(message)s") % {
        **where,
        "value": repr(value),
    }


def file_problem(label, message) -> str:
    """A message about a whole file, naming it."""
    return _("%(file)s: %(message)s") % {"file": label, "message": message}


def changed_fields(instance, values: dict) -> dict:
    """The entries of `values` that differ from what `instance` holds (relations compared by key)."""
    changes = {}
    for name, value in values.items():
        model_field = instance._meta.get_field(name)
        if model_field.is_relation:
            current, wanted = getattr(instance, model_field.attname), value.pk if value is not None else None
        else:
            current, wanted = getattr(instance, name), value
        if current != wanted:
            changes[name] = value
    return changes


def hours_rows(rows):
    """Opening hours, as saved (OpeningHours objects) or planned (dicts), in one comparable form."""
    fields = ("day_type", "opens", "closes", "text")
    return sorted(
        tuple(row[name] if isinstance(row, dict) else getattr(row, name) for name in fields) for row in rows
    )


@contextmanager
def opened(path_text, error_class):
    """The file opened for reading bytes, or error_class with a message naming the file and why it cannot
    be read."""
    try:
        file = Path(path_text).open("rb")
    except FileNotFoundError:
        raise error_class(file_problem(path_text, _("ファイルがありません"))) from None
    except IsADirectoryError:
        raise error_class(file_problem(path_text, _("フォルダーです。CSVファイルではありません"))) from None
    except OSError as error:
        reason = error.strerror or error
        raise error_class(
            file_problem(path_text, _("読めません（%(reason)s）") % {"reason": reason})
        ) from None
    with file:
        yield file


def read_bytes(path_text, error_class) -> bytes:
    """The file's bytes, or error_class with a message naming the file and why it cannot be read."""
    with opened(path_text, error_class) as file:
        return file.read()

"""The coordinator's open-data import: upload a WAM NET or 介護サービス情報公表 CSV, check it first (a dry
run, rolled back) and then import it, reading the same report the management commands print. Coordinators
only.

The upload is not kept: after a dry run the person sends the same file again with the box unchecked. The
import runs in the request (about 4,000 rows a second), so a prefecture's file takes seconds; a national
file is better imported with the command."""

import logging
import tempfile
from pathlib import Path

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from directory.coordinator_views import coordinator_required
from directory.forms import OpenDataImportForm
from directory.importers.opendata import OpenDataFileError
from directory.importers.run import FORMATS, run_import

logger = logging.getLogger(__name__)


def import_upload(upload, *, importer, date, dry_run, by):
    """Run the import on an uploaded file, saved for the run under a temporary path and reported under the
    name it was sent with."""
    with tempfile.TemporaryDirectory(prefix="open-data-import-") as directory:
        path = Path(directory) / "upload.csv"
        with path.open("wb") as file:
            for chunk in upload.chunks():
                file.write(chunk)
        return run_import(importer, [path], date=date, dry_run=dry_run, by=by, labels=[upload.name])


@require_http_methods(["GET", "POST"])
@coordinator_required
def open_data_import(request):
    if request.method == "GET":
        form = OpenDataImportForm(initial={"date": timezone.localdate(), "dry_run": True})
        return render(request, "directory/open_data_import.html", {"form": form})

    form = OpenDataImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "directory/open_data_import.html", {"form": form}, status=400)
    data = form.cleaned_data
    try:
        report = import_upload(
            data["file"],
            importer=FORMATS[data["format"]],
            date=data["date"],
            dry_run=data["dry_run"],
            by=request.user,
        )
    except OpenDataFileError as error:
        form.add_error("file", _("このファイルは取り込めません（何も保存していません）: %s") % error)
        return render(request, "directory/open_data_import.html", {"form": form}, status=400)
    except Exception:
        # The run is one transaction: whatever stopped it, nothing of it was saved (see opendata.py).
        logger.exception("the import of %s by %s failed", data["file"].name, request.user)
        form.add_error(
            None,
            _(
                "取り込みの途中でエラーが起きました。この取り込みでは何も保存していません。管理者に連絡してください。"
            ),
        )
        return render(request, "directory/open_data_import.html", {"form": form}, status=500)
    # The next step offered with the report: after a dry run the same file for real, after an import
    # another file checked first.
    again = OpenDataImportForm(
        initial={"format": data["format"], "date": data["date"], "dry_run": not data["dry_run"]}
    )
    context = {
        "form": again,
        "report": report,
        "format_label": dict(form.fields["format"].choices)[data["format"]],
        "file_name": data["file"].name,
    }
    return render(request, "directory/open_data_import.html", context)

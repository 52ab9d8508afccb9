"""Import the WAM NET 障害福祉サービス等情報公表 open data (see directory/importers/wam.py for the rules).

    python manage.py import_wam FILE [FILE …] [--date YYYY-MM-DD] [--dry-run]

Every file is read (UTF-8 with or without BOM, or CP932) and its header checked before anything is written.
Rows are upserted by (事業所番号, サービス種別): a second run of the same files changes nothing. A row that
cannot be imported is reported (file, line, column, value) and skipped while the good rows are still
imported. Exit status: 0 when every row was imported (warnings allowed), 3 when some rows were skipped,
2 when a file cannot be read.
"""

from directory.importers.command import ImportCommand
from directory.importers.wam import WamImporter


class Command(ImportCommand):
    help = (
        "Import the WAM NET 障害福祉サービス等情報公表 open data (29-column CSV, one file per service type). "
        "Rows are upserted by 事業所番号 and service type; entries of earlier imports that the files no "
        "longer hold are flagged missing from source. Exit status 3 when rows were skipped, 2 when a file "
        "cannot be read."
    )
    importer = WamImporter
    file_help = "WAM NET open-data CSV file"

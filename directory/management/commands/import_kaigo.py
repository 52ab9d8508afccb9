"""Import the MHLW 介護サービス情報公表 open data (see directory/importers/kaigo.py for the rules).

    python manage.py import_kaigo FILE [FILE …] [--date YYYY-MM-DD] [--dry-run]

Every file is read (UTF-8 with or without BOM, or CP932) and its header checked before anything is written.
Rows are upserted by (事業所番号, サービスの種類) into the 介護保険サービス categories: a second run of the
same files changes nothing. A row that cannot be imported is reported (file, line, column, value) and
skipped while the good rows are still imported. Exit status: 0 when every row was imported (warnings
allowed), 3 when some rows were skipped, 2 when a file cannot be read.
"""

from directory.importers.command import ImportCommand
from directory.importers.kaigo import KaigoImporter


class Command(ImportCommand):
    help = (
        "Import the MHLW 介護サービス情報公表 open data (24-column CSV jigyosho_NNN.csv, one file per "
        "service type). Rows are upserted by 事業所番号 and service type; entries of earlier imports that "
        "the files no longer hold are flagged missing from source. Exit status 3 when rows were skipped, "
        "2 when a file cannot be read."
    )
    importer = KaigoImporter
    file_help = "介護サービス情報公表 open-data CSV file (jigyosho_NNN.csv)"

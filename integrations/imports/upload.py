"""What an uploaded file is, told by its bytes (and checked against its name): xlsx, xls or CSV, under the cap."""

from pathlib import PurePath

from django.conf import settings

from tenants.uploads import UploadRefused, check_upload

DEFAULT_MAX_BYTES = 50_000_000
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an old Office document (.xls, .doc)
EXTENSIONS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".csv": "csv", ".txt": "csv", ".tsv": "csv"}
NAMES = {"xlsx": "an Excel workbook (.xlsx)", "xls": "an old Excel workbook (.xls)", "csv": "CSV text"}


def max_bytes() -> int:
    """The upload cap: IMPORT_MAX_BYTES in the settings, 50 MB by default."""
    return int(getattr(settings, "IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _is_xls(upload) -> bool:
    import xlrd

    upload.seek(0)
    try:
        book = xlrd.open_workbook(file_contents=upload.read(), on_demand=True)
        book.release_resources()
        return True
    except Exception:  # not a workbook: a Word document, a damaged file
        return False
    finally:
        upload.seek(0)


def detect_format(upload) -> str:
    """ "xlsx", "xls" or "csv" for an upload whose bytes are one and whose name does not say otherwise;
    UploadRefused with a message saying what the file is and what to send instead."""
    limit = max_bytes()
    if upload.size > limit:
        raise UploadRefused(f"The file is larger than {limit / 1_000_000:g} MB; split it into smaller files.")
    extension = PurePath(upload.name or "").suffix.lower()
    if extension not in EXTENSIONS:
        raise UploadRefused(
            f"“{upload.name}” is not a spreadsheet: upload an Excel workbook (.xlsx or .xls) or a CSV file."
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"PK\x03\x04"):
        check_upload(upload, kind="xlsx", max_bytes=limit)
        found = "xlsx"
    elif head.startswith(OLE2):
        if not _is_xls(upload):
            raise UploadRefused("This file is an Office document but not an Excel workbook: save it as .xlsx.")
        found = "xls"
    else:
        check_upload(upload, kind="csv", max_bytes=limit)
        found = "csv"
    named = EXTENSIONS[extension]
    if named != found:
        raise UploadRefused(
            f"“{upload.name}” is named like {NAMES[named]} but holds {NAMES[found]}: save it again with the "
            "right type, or rename it."
        )
    return found

"""Uploaded files are checked before anything reads them: the size first, then what the bytes are (their first
bytes and, for a workbook, its zip directory), never the file's name or the content type the browser sent.

`check_upload(upload, kind="csv" | "xlsx", max_bytes=...)` raises UploadRefused (a DomainError) with a message
saying what the file is and what to upload instead; the forms, serializers and admin forms show it as their
field's error.
"""

import zipfile

from tenants.errors import DomainError

HEAD_BYTES = 8192
# What common files start with, as a person would name them.
SIGNATURES = (
    (b"PK\x03\x04", "an Excel workbook or another zip file"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Word document"),
    (b"%PDF", "a PDF"),
    (b"\x89PNG", "an image"),
    (b"\xff\xd8\xff", "an image"),
    (b"GIF8", "an image"),
    (b"{\\rtf", "a Word (RTF) document"),
)
# A workbook's parts unpack to at most this many times the upload's size limit (a zip bomb is refused).
XLSX_UNPACKED_FACTOR = 20


class UploadRefused(DomainError):
    code = "upload_refused"


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:g} MB"


def _head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return head


def _check_csv(upload) -> None:
    head = _head(upload)
    for signature, what in SIGNATURES:
        if head.startswith(signature):
            raise UploadRefused(
                f"This file is {what}, not CSV text: save it from your spreadsheet as “CSV UTF-8” and upload that."
            )
    if b"\x00" in head:
        raise UploadRefused("This file is not text (it holds binary data): upload a CSV file saved as “CSV UTF-8”.")


def _check_xlsx(upload, max_bytes: int) -> None:
    refused = UploadRefused("This file is not an Excel workbook (.xlsx): save it as .xlsx, or choose the CSV format.")
    if not _head(upload).startswith(b"PK\x03\x04"):
        raise refused
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise refused from None
    finally:
        upload.seek(0)
    if "xl/workbook.xml" not in names:
        raise refused
    if unpacked > max_bytes * XLSX_UNPACKED_FACTOR:
        raise UploadRefused("This workbook unpacks to too much data: split it into smaller files.")


def check_upload(upload, *, kind: str, max_bytes: int) -> None:
    """Refuse `upload` (a Django UploadedFile) when it is over `max_bytes` or is not a `kind` file."""
    if upload.size > max_bytes:
        raise UploadRefused(f"The file is larger than {_megabytes(max_bytes)}; split it into smaller files.")
    if kind == "csv":
        _check_csv(upload)
    elif kind == "xlsx":
        _check_xlsx(upload, max_bytes)
    else:
        raise ValueError(f"unknown upload kind {kind!r}")

"""Forms of the certification upload page: the file, then the confirmation that carries it back."""

import base64
import binascii

from django import forms

from integrations.certifications.services import IMPORT_MAX_BYTES
from tenants.uploads import UploadRefused, check_upload


class CertificationUploadForm(forms.Form):
    """Step 1: choose a CSV file; the page answers with a preview (a dry run)."""

    file = forms.FileField(
        label="CSV file", help_text="UTF-8 CSV; first line: person,type,number,issued_on,expires_on."
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        try:
            check_upload(upload, kind="csv", max_bytes=IMPORT_MAX_BYTES)
        except UploadRefused as refused:
            raise forms.ValidationError(str(refused)) from None
        return upload.read()


class CertificationConfirmForm(forms.Form):
    """Step 2: import the previewed file for real. The file travels back base64-encoded and is checked again."""

    content = forms.CharField(widget=forms.HiddenInput)

    @staticmethod
    def encode(content: bytes) -> str:
        return base64.b64encode(content).decode("ascii")

    def clean_content(self) -> bytes:
        try:
            content = base64.b64decode(self.cleaned_data["content"], validate=True)
        except (binascii.Error, ValueError):
            raise forms.ValidationError("The upload was damaged on its way back; choose the file again.") from None
        if len(content) > IMPORT_MAX_BYTES:
            raise forms.ValidationError("The file is larger than 1 MB; split it into smaller files.")
        return content

"""The wizard's forms: each step's choices are bounded by what the import holds (its sheets, their columns, the
people a name was compared with), so a forged value is refused as an invalid choice."""

from django import forms

from integrations.imports.matching import NOBODY
from integrations.imports.models import ImportSession
from integrations.imports.sheets import KINDS, KINDS_BY_KEY
from integrations.imports.upload import max_bytes
from scheduling.models import AcademicYear

KIND_CHOICES = [("", "— leave out —"), *((kind.key, kind.label) for kind in KINDS)]


def _years(program):
    return AcademicYear.objects.filter(program=program).order_by("-start_date")


class UploadForm(forms.Form):
    """Step 1: the file and the academic year its schedule belongs to."""

    file = forms.FileField(label="Spreadsheet", help_text="Excel (.xlsx or .xls) or CSV, at most 50 MB.")
    academic_year = forms.ModelChoiceField(
        queryset=AcademicYear.objects.none(),
        required=False,
        label="Academic year of the schedule",
        help_text="Needed when the file holds block, half-day, call or FMIT assignments.",
    )

    def __init__(self, *args, program, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["academic_year"].queryset = _years(program)
        self.fields["academic_year"].initial = _years(program).filter(is_current=True).first()
        self.fields["file"].help_text = f"Excel (.xlsx or .xls) or CSV, at most {max_bytes() / 1_000_000:g} MB."


class SheetsForm(forms.Form):
    """Step 2: what each sheet holds, and the academic year."""

    def __init__(self, *args, session: ImportSession, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.session = session
        self.fields["academic_year"] = forms.ModelChoiceField(
            queryset=_years(session.program),
            required=False,
            initial=session.academic_year_id,
            label="Academic year of the schedule",
        )
        for index, sheet in enumerate(session.sheets):
            self.fields[f"kind-{index}"] = forms.ChoiceField(
                choices=KIND_CHOICES, required=False, label=sheet["name"], initial=session.kinds.get(sheet["name"], "")
            )

    def rows(self):
        return [(sheet, self[f"kind-{index}"]) for index, sheet in enumerate(self.session.sheets)]

    def kinds(self) -> dict[str, str]:
        return {sheet["name"]: self.cleaned_data[f"kind-{i}"] for i, sheet in enumerate(self.session.sheets)}


class ColumnsForm(forms.Form):
    """Step 3: which field each column of each chosen sheet fills."""

    def __init__(self, *args, session: ImportSession, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.session, self.groups = session, []
        for s, sheet in enumerate(session.sheets):
            kind_key = session.kinds.get(sheet["name"])
            if not kind_key:
                continue
            kind = KINDS_BY_KEY[kind_key]
            choices = [("", "— ignore —"), *((c.key, c.label + (" *" if c.required else "")) for c in kind.columns)]
            mapped = session.mapping.get(sheet["name"], {})
            names = []
            for header in sheet["headers"]:
                name = f"map-{s}-{header['index']}"
                self.fields[name] = forms.ChoiceField(
                    choices=choices,
                    required=False,
                    label=f"{header['letter']}: {header['text']}",
                    initial=mapped.get(str(header["index"]), ""),
                )
                names.append(name)
            self.groups.append((sheet, kind, names))

    def sections(self):
        return [(sheet, kind, [self[name] for name in names]) for sheet, kind, names in self.groups]

    def mapping(self) -> dict[str, dict[str, str]]:
        result = {}
        for sheet, _kind, names in self.groups:
            result[sheet["name"]] = {name.rsplit("-", 1)[1]: self.cleaned_data[name] for name in names}
        return result


class PeopleForm(forms.Form):
    """Step 4: who each unsure name is: one of the people it resembles, or nobody."""

    def __init__(self, *args, questions, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.asked = [q for q in questions if q.match.choices]
        for index, question in enumerate(self.asked):
            choices = [
                ("", "— choose —"),
                *((c.key, c.label) for c in question.match.choices),
                (NOBODY, "Nobody of this program: report its rows"),
            ]
            self.fields[f"answer-{index}"] = forms.ChoiceField(
                choices=choices, required=False, label=question.match.text, initial=question.answer or ""
            )

    def rows(self):
        return [(question, self[f"answer-{index}"]) for index, question in enumerate(self.asked)]

    def answers(self) -> dict[str, str]:
        return {q.key: self.cleaned_data[f"answer-{i}"] for i, q in enumerate(self.asked)}

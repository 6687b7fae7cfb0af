"""API shapes of certification types, certifications, procedures and procedure credentials.

Related rows (person, type, procedure) are picked by id among the active program's rows only.
Serializers check shape; rules live in credentials.services.
"""

from rest_framework import serializers

from credentials import selectors
from credentials.models import CertificationType, PersonCertification, Procedure, ProcedureCredential
from tenants import serializer_fields as bounded


class ProgramRowField(serializers.PrimaryKeyRelatedField):
    """A related row by id, looked up in the serializer context's program (another program's id is unknown)."""

    def __init__(self, model_getter, **kwargs) -> None:
        self.model_getter = model_getter
        super().__init__(**kwargs)

    def get_queryset(self):
        program = self.context.get("program")
        model = self.model_getter()
        return model.objects.filter(program=program) if program is not None else model.objects.none()


class CertificationTypeSerializer(serializers.ModelSerializer):
    """A certification type and who must hold it (`required_for_specialties` is comma-separated)."""

    class Meta:
        model = CertificationType
        fields = ["id", "code", "name", "renewal_months", "required_for_residents", "required_for_faculty",
                  "required_for_specialties"]  # fmt: skip
        validators: list = []  # uniqueness is checked by the service, with the program
        extra_kwargs = {
            "name": {"help_text": "The certification's name, e.g. Advanced Cardiac Life Support."},
            "required_for_residents": {"help_text": "Every resident must hold it."},
            "required_for_faculty": {"help_text": "Every faculty member must hold it."},
        }


class ProcedureSerializer(serializers.ModelSerializer):
    """A procedure; `supervision_ratio` is how many residents one credentialed supervisor may oversee."""

    class Meta:
        model = Procedure
        fields = ["id", "name", "code", "category", "complexity", "min_pgy", "supervision_ratio"]
        validators: list = []
        extra_kwargs = {"name": {"help_text": "The procedure's name, e.g. Colposcopy."}}


class CertificationSerializer(serializers.ModelSerializer):
    """A person's certification. `status` is ok, expiring (within 90 days) or expired, as of the program's today.

    The card number is shown to the program's managers and to the holder only. A blank `expires_on` on create is
    the type's renewal period after `issued_on`. Person and type cannot change: record a new certification.
    """

    person = ProgramRowField(selectors.person_model, help_text="Id of the holder, a person of the program.")
    type = ProgramRowField(lambda: CertificationType, help_text="Id of the certification type.")
    person_name = serializers.CharField(source="person.full_name", read_only=True, help_text="The holder's name.")
    type_code = serializers.CharField(source="type.code", read_only=True, help_text="The type's code, e.g. ACLS.")
    expires_on = bounded.DateField(
        required=False, allow_null=True, help_text="Expiry date; blank on create: the type's renewal period."
    )
    verified_by = serializers.CharField(
        source="verified_by.get_full_name", read_only=True, default=None, help_text="Who verified the card."
    )
    status = serializers.SerializerMethodField(help_text="ok, expiring (within 90 days) or expired.")

    class Meta:
        model = PersonCertification
        fields = ["id", "person", "person_name", "type", "type_code", "number", "issued_on", "expires_on", "status",
                  "verified_by", "verified_at"]  # fmt: skip
        read_only_fields = ["verified_at"]
        validators: list = []
        extra_kwargs = {
            "issued_on": {"help_text": "Issue date (YYYY-MM-DD)."},
            "verified_at": {"help_text": "When a manager verified the card."},
        }

    def get_status(self, obj: PersonCertification) -> str:
        today = self.context["today"]
        if obj.expires_on < today:
            return selectors.Status.EXPIRED
        if (obj.expires_on - today).days <= selectors.EXPIRING_DAYS:
            return selectors.Status.EXPIRING
        return selectors.Status.OK

    def validate(self, attrs: dict) -> dict:
        if self.instance is not None:
            for name in ("person", "type"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError({name: "This cannot change; record a new certification."})
        return attrs

    def to_representation(self, instance: PersonCertification) -> dict:
        data = super().to_representation(instance)
        request = self.context.get("request")
        own = request is not None and instance.person.user_id == request.user.pk
        if not (self.context.get("manager") or own):
            data["number"] = None
        return data


class ProcedureCredentialSerializer(serializers.ModelSerializer):
    """A person's credential for a procedure. `status` changes through the suspend and reinstate actions;
    `supervises` is how many residents they may oversee at once (their own limit, else the procedure's ratio).
    """

    person = ProgramRowField(selectors.person_model, help_text="Id of the credentialed person.")
    procedure = ProgramRowField(lambda: Procedure, help_text="Id of the procedure.")
    person_name = serializers.CharField(source="person.full_name", read_only=True, help_text="The person's name.")
    procedure_code = serializers.CharField(source="procedure.code", read_only=True, help_text="The procedure's code.")
    supervises = serializers.IntegerField(read_only=True, help_text="Residents they may oversee at once.")

    class Meta:
        model = ProcedureCredential
        fields = ["id", "person", "person_name", "procedure", "procedure_code", "level", "status", "status_note",
                  "max_residents_supervised", "supervises", "granted_on", "expires_on"]  # fmt: skip
        read_only_fields = ["status", "status_note"]
        validators: list = []
        extra_kwargs = {
            "level": {"help_text": "trainee, qualified, expert or master."},
            "status": {"help_text": "active, suspended or expired (changed by suspend and reinstate)."},
            "granted_on": {"help_text": "When it was granted (YYYY-MM-DD)."},
        }

    def validate(self, attrs: dict) -> dict:
        if self.instance is not None:
            for name in ("person", "procedure"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError({name: "This cannot change; grant a new credential."})
        return attrs


class SuspendSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text="Why the credential is suspended.")


class ReinstateSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="Why it is reinstated (optional)."
    )

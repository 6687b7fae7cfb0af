"""Admin of the email and push logs: program managers see what was sent and what failed, and send a test email;
push devices (personal, of no program) are listed to superusers only."""

from urllib.parse import urlsplit

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from notifications.models import EmailLog, PushLog, PushSubscription
from notifications.services import email_test_send
from tenants.admin import ProgramScopedAdmin, allowed_program_ids
from tenants.audit_admin import NoWritesAdminMixin, SuperuserReadOnlyAdmin
from tenants.models import Organization
from tenants.permissions import Action


class TestEmailForm(forms.ModelForm):
    """The add page of the log is "send a test email": an address, and the program it is logged under."""

    class Meta:
        model = EmailLog
        fields = ["to_email", "program"]
        labels = {"to_email": "Send a test email to"}
        help_texts = {"program": "The program whose email log shows it."}


@admin.register(EmailLog)
class EmailLogAdmin(ProgramScopedAdmin):
    """Every email and its status (read-only); its "add" page sends a test email through the delivery task.

    Admins and coordinators see their programs' rows; test emails without a program only superusers.
    """

    form = TestEmailForm
    list_display = ("created_at", "to_email", "event", "subject", "status", "attempts", "sent_at")
    list_filter = ("status", "event", ("created_at", admin.DateFieldListFilter), "is_digest")
    list_select_related = ("recipient",)
    search_fields = ("to_email", "subject", "message_id", "idempotency_key", "recipient__email", "error")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    readonly_fields = (
        "program",
        "recipient",
        "to_email",
        "event",
        "subject",
        "status",
        "error",
        "attempts",
        "message_id",
        "notification",
        "is_digest",
        "idempotency_key",
        "send_after",
        "created_at",
        "sent_at",
        "text_body",
    )

    def get_fields(self, request: HttpRequest, obj: EmailLog | None = None):
        return ("to_email", "program") if obj is None else self.readonly_fields

    def get_readonly_fields(self, request: HttpRequest, obj: EmailLog | None = None) -> tuple[str, ...]:
        return () if obj is None else self.readonly_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "program":
            programs = Organization.objects.programs()
            if not request.user.is_superuser:
                programs = programs.filter(
                    pk__in=allowed_program_ids(request, Action.ADD, EmailLog.permission_resource)
                )
            kwargs["queryset"] = programs
            kwargs["required"] = not request.user.is_superuser
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request: HttpRequest) -> QuerySet[EmailLog]:
        return super().get_queryset(request).select_related("program", "recipient")

    def has_change_permission(self, request: HttpRequest, obj: EmailLog | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: EmailLog | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: EmailLog, form: forms.ModelForm, change: bool) -> None:
        """Instead of saving the form's row, queue a real test email (it goes when the page's transaction commits)."""
        log = email_test_send(to_email=obj.to_email, program=form.cleaned_data.get("program"))
        obj.__dict__.update({key: value for key, value in log.__dict__.items() if key != "_state"})
        obj._state.adding = False

    def response_add(self, request: HttpRequest, obj: EmailLog, post_url_continue: str | None = None) -> HttpResponse:
        messages.info(request, f"Test email to {obj.to_email} handed to the delivery task; its status is shown below.")
        return HttpResponseRedirect(reverse("admin:notifications_emaillog_change", args=[obj.pk]))


@admin.register(PushLog)
class PushLogAdmin(NoWritesAdminMixin, ProgramScopedAdmin):
    """Every push message and its status, read-only: admins and coordinators see their programs' rows (as for the
    email log); rows of no program only superusers. The device's endpoint and keys are not shown."""

    permission_resource = EmailLog.permission_resource
    list_display = ("created_at", "recipient", "device", "event", "title", "status", "attempts", "sent_at")
    list_filter = ("status", "event", ("created_at", admin.DateFieldListFilter))
    list_select_related = ("recipient", "subscription")
    search_fields = ("recipient__email", "idempotency_key", "error")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    fields = readonly_fields = (
        "program",
        "recipient",
        "device",
        "event",
        "payload",
        "status",
        "error",
        "attempts",
        "notification",
        "idempotency_key",
        "send_after",
        "created_at",
        "sent_at",
    )

    @admin.display(description="device")
    def device(self, obj: PushLog) -> str:
        return obj.subscription.device if obj.subscription else "(removed)"

    @admin.display(description="title")
    def title(self, obj: PushLog) -> str:
        return obj.payload.get("title", "")

    def get_queryset(self, request: HttpRequest) -> QuerySet[PushLog]:
        return super().get_queryset(request).select_related("program", "recipient", "subscription")


@admin.register(PushSubscription)
class PushSubscriptionAdmin(SuperuserReadOnlyAdmin):
    """Users' push devices, read-only and for superusers only: a device is personal, of no program. Its owner
    removes it on the notification preferences page; the endpoint (a capability) and keys are not shown."""

    list_display = ("device", "user", "push_service", "created_at", "last_success_at")
    list_select_related = ("user",)
    search_fields = ("user__email", "device")
    ordering = ("-created_at",)
    fields = readonly_fields = ("user", "device", "push_service", "user_agent", "created_at", "last_success_at")

    @admin.display(description="push service")
    def push_service(self, obj: PushSubscription) -> str:
        return urlsplit(obj.endpoint).hostname or ""

"""Admin for users, organizations, memberships and personal API tokens, and the tenancy rules every program-owned
admin follows.

Superusers see everything. A program's admins and coordinators see only the rows of the programs they
manage, pick related rows only from those programs, and act as can() allows for their role.
"""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin

from tenants.audit_admin import AuditedUserAdminMixin  # also registers the read-only audit log
from tenants.errors import DomainError
from tenants.login_security import sign_in_unlock
from tenants.models import Membership, Organization, PersonalAccessToken, ProgramOwnedModel, User
from tenants.permissions import Action, Resource, can
from tenants.selectors import managed_program_ids
from tenants.services import membership_change, membership_create, membership_delete
from tenants.tokens import token_revoke

_CACHE_ATTR = "_admin_managed_programs"


def _managed_programs(request: HttpRequest) -> dict[int, Organization]:
    """The programs the request's user administers or coordinates, by id, read once per request."""
    programs = getattr(request, _CACHE_ATTR, None)
    if programs is None:
        programs = Organization.objects.in_bulk(managed_program_ids(request.user))
        setattr(request, _CACHE_ATTR, programs)
    return programs


def allowed_program_ids(request: HttpRequest, action: str, resource: object) -> set[int]:
    """Ids of the managed programs in which can() lets the request's user do `action` on `resource`."""
    user = request.user
    return {pk for pk, program in _managed_programs(request).items() if can(user, action, resource, program)}


def allows(request: HttpRequest, action: str, resource: object, program_id: int | None) -> bool:
    """Whether can() lets the request's user do `action` on `resource` (a name or a row) in one program."""
    program = _managed_programs(request).get(program_id) if program_id is not None else None
    return program is not None and can(request.user, action, resource, program)


def _is_superuser(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_superuser)


def program_users(request: HttpRequest) -> QuerySet[User]:
    """Users with a role in a program the request's user manages (directly or through its institution)."""
    programs = _managed_programs(request)
    organization_ids = set(programs) | {program.parent_id for program in programs.values() if program.parent_id}
    return User.objects.filter(memberships__organization_id__in=organization_ids).distinct()


class ProgramScopedFieldsMixin:
    """Limits the choices of foreign keys for non-superusers to rows of the programs they manage.

    Programs are those where the user may add this admin's rows; other program-owned rows (person,
    block, rotation, academic year, version, run...) and users come from the programs they manage.
    """

    permission_resource: str | None = None

    def _permission_resource(self) -> str:
        return self.permission_resource or self.model.permission_resource

    def scoped_choices(self, request: HttpRequest, model: type[Model]) -> QuerySet | None:
        if _is_superuser(request):
            return None
        if model is Organization:
            program_ids = allowed_program_ids(request, Action.ADD, self._permission_resource())
            return Organization.objects.filter(pk__in=program_ids)
        if issubclass(model, ProgramOwnedModel):
            return model._default_manager.filter(program_id__in=list(_managed_programs(request)))
        if model is User:
            return program_users(request)
        return None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        queryset = self.scoped_choices(request, db_field.related_model)
        if queryset is not None:
            kwargs["queryset"] = queryset
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        queryset = self.scoped_choices(request, db_field.related_model)
        if queryset is not None:
            kwargs["queryset"] = queryset
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ProgramScopedAdmin(ProgramScopedFieldsMixin, admin.ModelAdmin):
    """Admin of program-owned rows: non-superusers list, open and change only rows of programs they manage.

    Permissions are can() for `permission_resource` (default: the model's) in the row's program,
    which `program_field` names ("program"; "organization" for memberships; "id" for programs themselves).
    """

    program_field = "program"

    def _row_program_id(self, obj: Model) -> int | None:
        return getattr(obj, self.opts.get_field(self.program_field).attname)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if _is_superuser(request):
            return queryset
        program_ids = allowed_program_ids(request, Action.VIEW, self._permission_resource())
        return queryset.filter(**{f"{self.program_field}__in": program_ids})

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Model:
        """A row outside the user's programs is answered like a missing one: 404, never a hint it exists."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(f"No {self.opts.verbose_name} with this id in your programs.")
        return obj

    def _permitted(self, request: HttpRequest, action: str, obj: Model | None = None) -> bool:
        if _is_superuser(request):
            return True
        if not (request.user.is_active and request.user.is_authenticated):
            return False
        if obj is None:
            return bool(allowed_program_ids(request, action, self._permission_resource()))
        return allows(request, action, self._permission_resource(), self._row_program_id(obj))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._permitted(request, Action.VIEW)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._permitted(request, Action.VIEW, obj) or self._permitted(request, Action.CHANGE, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._permitted(request, Action.ADD)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._permitted(request, Action.CHANGE, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._permitted(request, Action.DELETE, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> tuple[str, ...]:
        """A row keeps the program it was created in: rows of that program may point at it."""
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and self.program_field == "program" and "program" not in fields:
            fields += ("program",)
        return fields

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        """A user who may add rows to exactly one program adds them there without choosing."""
        initial = super().get_changeform_initial_data(request)
        field = self.program_field
        if field != "id" and field not in initial and not _is_superuser(request):
            program_ids = allowed_program_ids(request, Action.ADD, self._permission_resource())
            if len(program_ids) == 1:
                initial[field] = next(iter(program_ids))
        return initial


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """simple_history's history pages, read only: a past version is shown, never saved back.

    Its revert view saves with only the view permission checked and without the services' rules, so every
    change goes through the change form (or the pages) instead.
    """

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied("Past versions are read only; make the change on the change form.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def render_history_view(self, request, template, context, **kwargs):
        """A past version's values show as disabled fields: nothing on the page looks editable."""
        adminform = context.get("adminform")
        if adminform is not None:
            for field in adminform.form.fields.values():
                field.disabled = True
        return super().render_history_view(request, template, context, **kwargs)


class ProgramScopedHistoryAdmin(ProgramScopedAdmin, ReadOnlyHistoryAdmin):
    """ProgramScopedAdmin with simple_history's (read-only) history pages, checked by the same rules."""


class _Rehearsal(Exception):
    """Raised to roll back a service call that was only a rehearsal."""


def service_refusal(call: Callable[[], object]) -> str | None:
    """Run a service call in a savepoint that is always rolled back: its refusal message, or None."""
    try:
        with transaction.atomic():
            call()
            raise _Rehearsal
    except _Rehearsal:
        return None
    except (DomainError, PermissionDenied) as exc:
        return str(exc) or "You may not make this change."


class ServiceAdminMixin:
    """An admin whose saves and deletes are service calls, with the services' checks, history and notices.

    The form rehearses the call once it is valid (rolled back at once), so a refusal shows on the form;
    save_model makes it for real. A refusal that only comes then (someone else changed the rows in between)
    is shown as a message and nothing is saved.
    """

    def service_save(self, request: HttpRequest, obj: Model, form: forms.ModelForm, change: bool) -> Model:
        """Save through the service and return the saved row."""
        raise NotImplementedError

    def service_delete(self, request: HttpRequest, obj: Model) -> None:
        """Delete through the service."""
        raise NotImplementedError

    def get_form(self, request: HttpRequest, obj: Model | None = None, change: bool = False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        class RehearsedForm(form_class):
            def _post_clean(self) -> None:
                super()._post_clean()
                if not self.errors:
                    refusal = service_refusal(lambda: model_admin.service_save(request, self.instance, self, change))
                    if refusal:
                        self.add_error(None, refusal)

        return RehearsedForm

    def save_model(self, request: HttpRequest, obj: Model, form: forms.ModelForm, change: bool) -> None:
        saved = self.service_save(request, obj, form, change)
        for field in saved._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        self.service_delete(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            try:
                self.service_delete(request, obj)
            except (DomainError, PermissionDenied) as exc:
                self.message_user(request, f"{obj}: {exc}", messages.ERROR)

    def _refused(self, request: HttpRequest, call: Callable[[], HttpResponse]) -> HttpResponse:
        try:
            return call()
        except DomainError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._refused(
            request, lambda: super(ServiceAdminMixin, self).changeform_view(request, object_id, form_url, extra_context)
        )

    def delete_view(self, request, object_id, extra_context=None):
        return self._refused(
            request, lambda: super(ServiceAdminMixin, self).delete_view(request, object_id, extra_context)
        )


class ProgramInheritingFormSet(BaseInlineFormSet):
    """Inline rows take their parent's program, so the inline form shows no program field."""

    def add_fields(self, form: forms.ModelForm, index: int | None) -> None:
        super().add_fields(form, index)
        if self.instance is not None and self.instance.program_id:
            form.instance.program_id = self.instance.program_id


class ProgramScopedInlineMixin(ProgramScopedFieldsMixin):
    """Inline of program-owned rows under a program-owned parent: rows and permissions follow the parent's program."""

    formset = ProgramInheritingFormSet

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if _is_superuser(request):
            return queryset
        return queryset.filter(program_id__in=allowed_program_ids(request, Action.VIEW, self._permission_resource()))

    def get_exclude(self, request: HttpRequest, obj: Model | None = None):
        return (*(super().get_exclude(request, obj) or ()), "program")

    def _permitted(self, request: HttpRequest, action: str, parent: Model | None) -> bool:
        if _is_superuser(request):
            return True
        if parent is None or parent.program_id is None:
            return bool(allowed_program_ids(request, action, self._permission_resource()))
        return allows(request, action, self._permission_resource(), parent.program_id)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._permitted(request, Action.VIEW, obj)

    def has_add_permission(self, request: HttpRequest, obj: Model | None) -> bool:
        return self._permitted(request, Action.ADD, obj)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._permitted(request, Action.CHANGE, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._permitted(request, Action.DELETE, obj)


class SuperuserOnlyMixin:
    """Only superusers see or touch these rows."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_superuser(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _is_superuser(request)

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return _is_superuser(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _is_superuser(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _is_superuser(request)


class EmailUserCreationForm(AdminUserCreationForm):
    """Creates a user from an email address (our users have no username)."""

    class Meta:
        model = User
        fields = ("email",)


class EmailUserChangeForm(UserChangeForm):
    """Edits a user identified by email."""

    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(AuditedUserAdminMixin, SuperuserOnlyMixin, DjangoUserAdmin):
    """Accounts, by email; superusers only (program admins manage roles through memberships)."""

    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),)
    list_display = ("email", "first_name", "last_name", "is_active", "is_superuser", "last_login")
    list_filter = ("is_superuser", "is_active", "groups")
    search_fields = ("email", "first_name", "last_name")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")
    actions = ["unlock_sign_in"]

    @admin.action(description="Unlock sign-in (clear failed sign-ins)")
    def unlock_sign_in(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            sign_in_unlock(email=user.email, request=request)
        self.message_user(request, f"Sign-in unlocked for {queryset.count()} user(s).", messages.SUCCESS)


@admin.register(Organization)
class OrganizationAdmin(ProgramScopedHistoryAdmin):
    """Institutions and programs: superusers manage all; a program's admins edit it and its coordinators view it."""

    program_field = "id"
    permission_resource = Resource.PROGRAM
    list_display = ("name", "kind", "parent", "slug", "time_zone", "is_active")
    list_filter = ("kind", "is_active", ("parent", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("parent",)
    search_fields = ("name", "slug", "parent__name")
    ordering = ("parent__name", "name")

    def get_readonly_fields(self, request: HttpRequest, obj: Organization | None = None) -> tuple[str, ...]:
        if _is_superuser(request):
            return ("created_at",)
        return ("kind", "parent", "slug", "is_active", "created_at")

    def get_prepopulated_fields(self, request: HttpRequest, obj: Organization | None = None) -> dict:
        return {"slug": ("name",)} if _is_superuser(request) else {}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = Organization.objects.filter(kind=Organization.Kind.INSTITUTION)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_superuser(request)

    def has_delete_permission(self, request: HttpRequest, obj: Organization | None = None) -> bool:
        return _is_superuser(request)


class UserByEmailField(forms.ModelChoiceField):
    """Picks an existing active user by typing their email address, so no list of all users is shown."""

    widget = forms.EmailInput
    default_error_messages = {"invalid_choice": "No active user has this email address; they need an account first."}

    def __init__(self, **kwargs) -> None:
        super().__init__(queryset=User.objects.filter(is_active=True), to_field_name="email", **kwargs)

    def to_python(self, value):
        return super().to_python(value.strip().lower() if isinstance(value, str) else value)


@admin.register(Membership)
class MembershipAdmin(ServiceAdminMixin, ProgramScopedHistoryAdmin):
    """Who has which role in a program: the program's admins manage them (through the membership services),
    its coordinators view them. Institution-wide roles are for superusers. Program admins name a user by email,
    never from a list of all users.
    """

    program_field = "organization"
    permission_resource = Resource.MEMBERSHIP
    list_display = ("user", "organization", "role", "created_at")
    list_filter = ("role", ("organization", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("user", "organization")
    search_fields = ("user__email", "user__first_name", "user__last_name", "organization__name")

    def get_autocomplete_fields(self, request: HttpRequest) -> tuple[str, ...]:
        return ("user", "organization") if _is_superuser(request) else ()

    def get_readonly_fields(self, request: HttpRequest, obj: Membership | None = None) -> tuple[str, ...]:
        """A membership keeps its user and organization; another person or program is another membership."""
        return ("created_at",) if obj is None else ("user", "organization", "created_at")

    def service_save(self, request: HttpRequest, obj: Membership, form, change: bool) -> Membership:
        role = form.cleaned_data["role"]
        if change:
            return membership_change(user=request.user, membership=obj, role=role)
        organization, member = form.cleaned_data["organization"], form.cleaned_data["user"]
        return membership_create(user=request.user, organization=organization, member=member, role=role)

    def service_delete(self, request: HttpRequest, obj: Membership) -> None:
        membership_delete(user=request.user, membership=obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not _is_superuser(request):
            return UserByEmailField(label="User email", help_text="The email address the person signs in with.")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class TokenRevokedFilter(admin.SimpleListFilter):
    title = "revoked"
    parameter_name = "revoked"

    def lookups(self, request: HttpRequest, model_admin) -> tuple[tuple[str, str], ...]:
        return (("yes", "Revoked"), ("no", "Not revoked"))

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("yes", "no"):
            return queryset.filter(revoked_at__isnull=self.value() == "no")
        return queryset


@admin.register(PersonalAccessToken)
class PersonalAccessTokenAdmin(ProgramScopedAdmin):
    """Personal API tokens of a program's members, read only: its coordinators view them, its admins revoke them
    (through token_revoke, audited as on the user's own page). Neither the secret nor its digest is ever shown;
    tokens are made by their users on their API tokens page."""

    permission_resource = Resource.MEMBERSHIP  # whose access to the program's data: as memberships
    list_display = (
        "user",
        "user_email",
        "program",
        "name",
        "scopes",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_filter = (("program", admin.RelatedOnlyFieldListFilter), TokenRevokedFilter)
    list_select_related = ("user", "program")
    search_fields = ("user__email", "user__first_name", "user__last_name", "name")
    fields = readonly_fields = (
        "user",
        "program",
        "name",
        "prefix",
        "scopes",
        "created_at",
        "last_used_at",
        "last_used_ip",
        "expires_at",
        "revoked_at",
    )
    actions = ["revoke_tokens"]

    @admin.display(description="email", ordering="user__email")
    def user_email(self, token: PersonalAccessToken) -> str:
        return token.user.email

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PersonalAccessToken | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: PersonalAccessToken | None = None) -> bool:
        return False  # revoked, never deleted: the audit log keeps naming it

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return self._permitted(request, Action.CHANGE)

    @admin.action(description="Revoke selected tokens", permissions=["revoke"])
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[PersonalAccessToken]) -> None:
        revoked = 0
        for token in queryset.select_related("program"):
            try:
                token_revoke(token=token, user=request.user, request=request)
            except DomainError as exc:
                self.message_user(request, f"{token}: {exc}", messages.ERROR)
            else:
                revoked += 1
        if revoked:
            self.message_user(request, f"{revoked} token(s) revoked; they no longer work.", messages.SUCCESS)

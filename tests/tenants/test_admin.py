"""Admin access for every registered model, and the tenancy of users, organizations and memberships."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.urls import reverse

from notifications.models import PushLog, PushSubscription
from scheduling.models import BlockAssignment, CallAssignment, SessionAssignment
from swaps.models import Swap
from tenants.admin import ProgramScopedAdmin
from tenants.audit_models import AuditEvent
from tenants.models import Membership, Organization, PersonalAccessToken, Role, User
from tests.tenants.factories import UserFactory

pytestmark = pytest.mark.django_db

REGISTERED_MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label)
SUPERUSER_ADD_ONLY = {Organization}  # programs are created by superusers; their admins then manage them
ADMIN_ADD_ONLY = {Membership}  # coordinators view memberships, only program admins manage them
# Assignments change only on the schedule pages and the API, where the rule checks run: no one adds them here;
# swaps likewise go through their services (requests, approvals, execution); the audit log is append-only.
# Sign-in attempts are written by django-axes alone: the admin lists them and deletes one to unlock. Push messages
# and devices are written by notify() and their owners. API tokens are made by their users on their own page.
READ_ONLY = {
    BlockAssignment,
    SessionAssignment,
    CallAssignment,
    Swap,
    AuditEvent,
    AccessAttempt,
    AccessLog,
    AccessFailureLog,
    PushLog,
    PushSubscription,
    PersonalAccessToken,
}


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def coordinator_may_view(model) -> bool:
    return isinstance(admin.site._registry[model], ProgramScopedAdmin)


def coordinator_may_add(model) -> bool:
    return coordinator_may_view(model) and model not in SUPERUSER_ADD_ONLY | ADMIN_ADD_ONLY | READ_ONLY


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=lambda model: model._meta.label)
def test_every_admin_changelist_and_add_page_renders_for_superuser(client, superuser, program, model):
    client.force_login(superuser)

    assert client.get(admin_url(model, "changelist")).status_code == 200
    assert client.get(admin_url(model, "add")).status_code == (403 if model in READ_ONLY else 200)


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=lambda model: model._meta.label)
def test_coordinator_opens_program_admin_pages_and_is_refused_the_others(client, coordinator, model):
    client.force_login(coordinator)

    changelist = client.get(admin_url(model, "changelist"))
    add = client.get(admin_url(model, "add"))

    assert changelist.status_code == (200 if coordinator_may_view(model) else 403)
    assert add.status_code == (200 if coordinator_may_add(model) else 403)


def test_admin_index_lists_only_program_admin_apps_for_coordinator(client, coordinator):
    client.force_login(coordinator)

    response = client.get(reverse("admin:index"))

    listed = {model["object_name"] for app in response.context["app_list"] for model in app["models"]}
    assert "Person" in listed
    assert "Membership" in listed
    assert not listed & {"User", "Group", "PeriodicTask"}


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY, Role.RN])
def test_non_manager_roles_are_sent_to_the_admin_login(client, member, role):
    client.force_login(member(role))

    for url in (reverse("admin:index"), admin_url(Organization, "changelist")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_user_admin_is_for_superusers_only(client, program_admin):
    client.force_login(program_admin)

    assert client.get(admin_url(User, "changelist")).status_code == 403
    assert client.get(admin_url(User, "change", program_admin.pk)).status_code == 403


def test_superuser_creates_user_by_lowercased_email(client, superuser):
    client.force_login(superuser)

    response = client.post(
        admin_url(User, "add"),
        {
            "email": "New.Person@Example.org",
            "usable_password": "true",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.org")
    assert user.check_password("a-long-enough-passphrase")


def test_program_admin_sees_only_own_programs(client, program_admin, program, other_program):
    client.force_login(program_admin)

    response = client.get(admin_url(Organization, "changelist"))

    assert list(response.context["cl"].queryset) == [program]
    assert client.get(admin_url(Organization, "change", other_program.pk)).status_code == 404
    assert client.get(admin_url(Organization, "change", program.parent_id)).status_code == 404


def test_program_admin_renames_own_program_but_cannot_change_its_slug(client, program_admin, program):
    client.force_login(program_admin)

    response = client.post(
        admin_url(Organization, "change", program.pk),
        {"name": "Family Medicine East", "slug": "hijacked", "time_zone": "America/Chicago", "settings": "{}"},
    )

    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.name, program.slug, program.time_zone) == ("Family Medicine East", "fm", "America/Chicago")


def test_program_admin_cannot_change_another_program(client, program_admin, other_program):
    client.force_login(program_admin)

    response = client.post(
        admin_url(Organization, "change", other_program.pk),
        {"name": "Taken over", "time_zone": "UTC", "settings": "{}"},
    )

    assert response.status_code == 404
    other_program.refresh_from_db()
    assert other_program.name == "Internal Medicine"


def test_program_admin_cannot_add_or_delete_programs(client, program_admin, program):
    client.force_login(program_admin)

    assert client.get(admin_url(Organization, "add")).status_code == 403
    assert client.post(admin_url(Organization, "delete", program.pk), {"post": "yes"}).status_code == 403
    assert Organization.objects.filter(pk=program.pk).exists()


def test_coordinator_views_own_program_read_only(client, coordinator, program):
    client.force_login(coordinator)

    page = client.get(admin_url(Organization, "change", program.pk))
    post = client.post(admin_url(Organization, "change", program.pk), {"name": "Renamed", "settings": "{}"})

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert post.status_code == 403
    program.refresh_from_db()
    assert program.name == "Family Medicine"


def test_program_admin_sees_only_own_programs_memberships(client, program_admin, member, program, other_program):
    stranger = member(Role.RESIDENT, in_program=other_program)
    client.force_login(program_admin)

    response = client.get(admin_url(Membership, "changelist"))

    shown = list(response.context["cl"].queryset)
    assert shown and all(
        membership.organization_id == program_admin.memberships.get().organization_id for membership in shown
    )
    other = stranger.memberships.get()
    assert client.get(admin_url(Membership, "change", other.pk)).status_code == 404


def test_membership_add_form_defaults_to_the_admins_only_program(client, program_admin, program):
    client.force_login(program_admin)

    response = client.get(admin_url(Membership, "add"))

    form = response.context["adminform"].form
    assert form.initial["organization"] == program.pk
    assert list(form.fields["organization"].queryset) == [program]


def test_program_admin_adds_membership_by_email(client, program_admin, program):
    newcomer = UserFactory(email="newcomer@example.org")
    client.force_login(program_admin)

    response = client.post(
        admin_url(Membership, "add"),
        {"user": "Newcomer@Example.org", "organization": program.pk, "role": Role.RESIDENT},
    )

    assert response.status_code == 302
    assert Membership.objects.get(user=newcomer).organization == program


def test_membership_for_unknown_email_is_a_form_error(client, program_admin, program):
    client.force_login(program_admin)

    response = client.post(
        admin_url(Membership, "add"),
        {"user": "nobody@example.org", "organization": program.pk, "role": Role.RESIDENT},
    )

    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors


def test_program_admin_cannot_add_membership_in_another_program(client, program_admin, other_program):
    newcomer = UserFactory()
    client.force_login(program_admin)

    response = client.post(
        admin_url(Membership, "add"),
        {"user": newcomer.email, "organization": other_program.pk, "role": Role.ADMIN},
    )

    assert response.status_code == 200
    assert "organization" in response.context["adminform"].form.errors
    assert not Membership.objects.filter(user=newcomer).exists()


def test_program_admin_changes_only_the_role_of_a_membership(client, program_admin, member, program, other_program):
    resident = member(Role.RESIDENT)
    membership = resident.memberships.get()
    client.force_login(program_admin)

    response = client.post(
        admin_url(Membership, "change", membership.pk),
        {"user": program_admin.email, "organization": other_program.pk, "role": Role.FACULTY},
    )

    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.user, membership.organization, membership.role) == (resident, program, Role.FACULTY)


def test_coordinator_views_memberships_but_cannot_manage_them(client, coordinator, member):
    membership = member(Role.RESIDENT).memberships.get()
    client.force_login(coordinator)

    assert client.get(admin_url(Membership, "changelist")).status_code == 200
    assert client.get(admin_url(Membership, "change", membership.pk)).status_code == 200
    assert client.post(admin_url(Membership, "change", membership.pk), {"role": Role.ADMIN}).status_code == 403
    assert client.post(admin_url(Membership, "delete", membership.pk), {"post": "yes"}).status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.RESIDENT


def test_institution_memberships_are_for_superusers(client, program_admin, program):
    dean = UserFactory()
    institution_membership = Membership.objects.create(user=dean, organization=program.parent, role=Role.ADMIN)
    client.force_login(program_admin)

    assert client.get(admin_url(Membership, "change", institution_membership.pk)).status_code == 404


def test_program_admin_cannot_demote_or_remove_the_programs_last_admin(client, program_admin, program):
    """Through the membership services: the program keeps an admin, and the refusal is on the form."""
    own = program_admin.memberships.get()
    client.force_login(program_admin)

    demoted = client.post(admin_url(Membership, "change", own.pk), {"role": Role.COORDINATOR})
    removed = client.post(admin_url(Membership, "delete", own.pk), {"post": "yes"}, follow=True)

    assert demoted.status_code == 200
    assert "only admin of Family Medicine" in str(demoted.context["adminform"].form.non_field_errors())
    assert "only admin of Family Medicine" in removed.content.decode()
    own.refresh_from_db()
    assert own.role == Role.ADMIN


def test_program_admin_hands_over_then_steps_down(client, program_admin, member, program):
    successor = member(Role.COORDINATOR).memberships.get()
    own = program_admin.memberships.get()
    client.force_login(program_admin)

    promoted = client.post(admin_url(Membership, "change", successor.pk), {"role": Role.ADMIN})
    stepped_down = client.post(admin_url(Membership, "change", own.pk), {"role": Role.FACULTY})

    assert (promoted.status_code, stepped_down.status_code) == (302, 302)
    successor.refresh_from_db()
    own.refresh_from_db()
    assert (successor.role, own.role) == (Role.ADMIN, Role.FACULTY)
    assert successor.history.first().history_user == program_admin


def test_program_admin_removes_a_member_through_the_service(client, program_admin, member, program):
    leaver = member(Role.RESIDENT).memberships.get()
    client.force_login(program_admin)

    response = client.post(admin_url(Membership, "delete", leaver.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=leaver.pk).exists()
    assert Membership.history.filter(id=leaver.pk, history_type="-").get().history_user == program_admin


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ('{"scheduling": {"rules": {"max_consecutive_calls": "two"}}}', "scheduling.rules.max_consecutive_calls"),
        ('{"scheduling": {"acgme": {"weekly_hours": -5}}}', "scheduling.acgme.weekly_hours"),
        ('{"scheduling": {"colour": "red"}}', "scheduling.colour: unknown setting"),
        ('{"scheduling": []}', "scheduling: must be an object"),
        ("[1, 2]", "Settings must be a JSON object"),
    ],
)
def test_program_settings_the_scheduling_reader_refuses_are_a_form_error_and_not_saved(
    client, program_admin, program, settings, message
):
    """Saved, such settings made the dashboard, schedules and compliance pages fail for the whole program."""
    program.settings = {"scheduling": {"rules": {"max_consecutive_calls": 2}}}
    program.save()
    client.force_login(program_admin)

    response = client.post(
        admin_url(Organization, "change", program.pk),
        {"name": "Family Medicine", "time_zone": "America/New_York", "settings": settings},
    )

    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors["settings"])
    program.refresh_from_db()
    assert program.settings == {"scheduling": {"rules": {"max_consecutive_calls": 2}}}


def test_program_settings_the_reader_accepts_are_saved(client, program_admin, program):
    client.force_login(program_admin)

    response = client.post(
        admin_url(Organization, "change", program.pk),
        {
            "name": "Family Medicine",
            "time_zone": "America/New_York",
            "settings": '{"scheduling": {"rules": {"max_consecutive_calls": 1}}, "other": {"kept": true}}',
        },
    )

    assert response.status_code == 302
    program.refresh_from_db()
    assert program.settings["scheduling"] == {"rules": {"max_consecutive_calls": 1}}
    assert program.settings["other"] == {"kept": True}

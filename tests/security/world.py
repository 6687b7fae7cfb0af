"""Builders for the security tests (not a test module): a program holding a row of every kind the site keeps,
with a distinctive MARKER in every name a page or an API could print, so that a leak of its rows into another
program's pages shows as the marker in a response.

`program_world(program, marker)` seeds, on top of `tests.swaps.factories.swap_world` (people with logins, three
rotations, a published version with block, session and call assignments): an admin login, a draft version, a
schedule run, an absence and an absence limit, a certification type, a person certification, a procedure and a
procedure credential, an in-app notification and an e-mail log, notification preferences and delivery settings, a
push device, a wish window and a wish, the year's FMIT configuration, the person's and the program's feed tokens,
a rotation requirement, a holiday, a swap waiting for its taker and an executed one (with its moves), and an export
template emailed weekly.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.apps import apps
from django.db.models import Model

from absences.models import Absence
from analytics.models import ContingencyAnalysis, Fallback, LoadSheddingStep, ProgramSnapshot
from integrations.exports.services import export_delivery_set, export_template_create
from integrations.feeds.tokens import feed_token_get_or_create
from integrations.imports.models import ImportMapping, ImportSession
from integrations.jobs.models import FileJob
from notifications.models import DeliverySettings, PushSubscription
from notifications.models import Preference as NotificationPreference
from scheduling.models import (
    CalendarDay,
    FmitYearConfig,
    Person,
    Preference,
    RotationRequirement,
    RotationTemplate,
    SessionTime,
)
from scheduling.services import fmit_year_config_ensure
from scheduling.services.wishes import preference_create, wish_window_set
from swaps import services as swap_services
from swaps.models import Swap, SwapMove
from tenants.models import Membership, Organization, ProgramOwnedModel, Role, User
from tenants.tokens import token_create
from tests.absences.factories import AbsenceFactory, AbsenceLimitFactory
from tests.credentials.factories import (
    CertificationTypeFactory,
    PersonCertificationFactory,
    ProcedureCredentialFactory,
    ProcedureFactory,
)
from tests.notifications.factories import (
    DeliverySettingsFactory,
    EmailLogFactory,
    NotificationFactory,
    PreferenceFactory,
)
from tests.scheduling.factories import ScheduleRunFactory, ScheduleVersionFactory
from tests.swaps.factories import SwapWorld, call_nights, call_shift, login, swap_world


@dataclasses.dataclass
class ProgramWorld:
    world: SwapWorld
    marker: str
    admin: User
    rows: dict[type[Model], Model]  # one row of each kind, the one a walk opens

    @property
    def program(self) -> Organization:
        return self.world.program

    @property
    def coordinator(self) -> User:
        return self.world.coordinator

    def row(self, model: type[Model]) -> Model:
        return self.rows[model]


def _marked(program: Organization, marker: str) -> None:
    """Every printable name of the program's people, users and rotations carries the marker."""
    Person.objects.filter(program=program).update(last_name=marker)
    User.objects.filter(memberships__organization=program).update(last_name=marker)
    for rotation in RotationTemplate.objects.filter(program=program):
        rotation.name = f"{rotation.name} {marker}"
        rotation.save(update_fields=["name"])
    program.name = f"{marker} Medicine"
    program.save(update_fields=["name"])


def program_world(program: Organization, marker: str) -> ProgramWorld:
    world = swap_world(program)
    admin = login(program, Role.ADMIN, first_name="Ada", last_name=marker)
    ann, ben = world.ann, world.ben
    draft = ScheduleVersionFactory(academic_year=world.year, program=program, number=2, note=f"Draft {marker}")
    run = ScheduleRunFactory(academic_year=world.year, program=program, message=f"Run {marker}")
    absence = AbsenceFactory(
        program=program,
        person=ann,
        start_date=world.block.start_date + dt.timedelta(days=14),
        end_date=world.block.start_date + dt.timedelta(days=15),
        note=f"Private note {marker}",
    )
    cert_type = CertificationTypeFactory(program=program, code=f"BLS{marker[:3].upper()}", name=f"BLS {marker}")
    certification = PersonCertificationFactory(type=cert_type, program=program, person=ann)
    procedure = ProcedureFactory(program=program, name=f"Lumbar puncture {marker}")
    credential = ProcedureCredentialFactory(procedure=procedure, program=program, person=ann)
    notification = NotificationFactory(program=program, recipient=ann.user, title=f"Published {marker}")
    email = EmailLogFactory(program=program, recipient=ann.user, subject=f"Published {marker}")
    PreferenceFactory(user=ann.user)
    DeliverySettingsFactory(user=ann.user)
    device = PushSubscription.objects.create(
        user=ann.user,
        endpoint=f"https://fcm.googleapis.com/fcm/send/{marker}-{program.pk}",
        p256dh="BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
        auth="tBHItJI5svbpez7KI4CCXg",
        device=f"Phone {marker}",
    )
    window = wish_window_set(
        user=world.coordinator,
        academic_year=world.year,
        opens_on=program.today() - dt.timedelta(days=1),
        closes_on=program.today() + dt.timedelta(days=30),
    )
    wish = preference_create(
        user=world.coordinator,
        program=program,
        person=ben,
        kind=Preference.Kind.ROTATION_WISH,
        rotation=world.clinic,
        block=world.block,
        reason=f"Wish {marker}",
    )
    person_feed = feed_token_get_or_create(program=program, person=ann, user=ann.user)
    program_feed = feed_token_get_or_create(program=program, user=world.coordinator)
    api_token = token_create(
        user=ann.user,
        program=program,
        name=f"Token {marker}",
        scopes=["read:schedule"],
        expires_on=program.today() + dt.timedelta(days=30),
    ).token
    AbsenceLimitFactory(program=program)
    SessionTime.objects.get_or_create(
        program=program, session="AM", defaults={"start_time": dt.time(8), "end_time": dt.time(12)}
    )
    requirement = RotationRequirement.objects.create(program=program, pgy=1, rotation=world.clinic)
    holiday = CalendarDay.objects.create(
        program=program, date=world.block.start_date + dt.timedelta(days=20), name=f"Holiday {marker}"
    )
    nights = call_nights(world, ann)
    executed = swap_services.swap_create(
        program=program,
        user=world.coordinator,
        kind="giveaway",
        legs=[swap_services.LegSpec(giver=ann, taker=ben, shift=call_shift(nights[-1]))],
        reason=f"Executed {marker}",
    )
    executed = swap_services.swap_approve(swap=executed, user=world.coordinator, note="ok")
    pending = swap_services.swap_create(
        program=program,
        user=ann.user,
        kind="posting",
        legs=[swap_services.LegSpec(giver=ann, taker=None, shift=call_shift(nights[-2]))],
        reason=f"Pending {marker}",
    )
    ProgramSnapshot.objects.create(program=program, day=program.today(), level=0, level_name="GREEN")
    ImportSession.objects.create(
        program=program,
        created_by=world.coordinator,
        filename=f"{marker}.csv",
        file_format="csv",
        size=12,
        content=b"First,Last\nAda,Lovelace\n",
        kinds={"CSV": "people"},
        sheets=[{"name": "CSV", "headers": []}],
    )
    ImportMapping.objects.create(program=program, kind="people", header=marker.lower(), field="last_name")
    FileJob.objects.create(
        program=program, created_by=world.coordinator, kind="export_assignments_csv", title=f"{marker}.csv",
        status=FileJob.Status.QUEUED, total=20000,
    )  # fmt: skip
    ContingencyAnalysis.objects.create(
        program=program, academic_year=world.year, first_block=world.block.number, last_block=world.block.number,
        message=f"Contingency {marker}",
    )  # fmt: skip
    fallback = Fallback.objects.create(
        program=program, name=f"Fallback {marker}", academic_year=world.year,
        first_block=world.block.number, last_block=world.block.number, created_by=world.coordinator,
    )  # fmt: skip
    fallback.lost.add(ann)
    LoadSheddingStep.objects.create(program=program, position=1, rotation=world.clinic)
    export = export_template_create(
        program=program,
        user=world.coordinator,
        values={
            "name": f"Export {marker}",
            "dataset": "absences",
            "file_format": "csv",
            "filters": {"people": [ann.pk]},
        },
    )
    export_delivery_set(template=export, user=world.coordinator, values={"recipients": [world.coordinator.pk]})
    fmit_config = fmit_year_config_ensure(academic_year=world.year)
    _marked(program, marker)
    rows: dict[type[Model], Model] = {
        Organization: program,
        User: ann.user,
        Person: ann,
        Membership: Membership.objects.get(organization=program, user=ann.user),
        RotationTemplate: world.clinic,
        Absence: absence,
        type(world.year): world.year,
        type(world.block): world.block,
        type(world.version): draft,
        type(run): run,
        type(cert_type): cert_type,
        type(certification): certification,
        type(procedure): procedure,
        type(credential): credential,
        type(notification): notification,
        type(email): email,
        type(window): window,
        Preference: wish,
        type(person_feed): person_feed,
        type(api_token): api_token,
        RotationRequirement: requirement,
        CalendarDay: holiday,
        FmitYearConfig: fmit_config,
        Swap: pending,
        SwapMove: SwapMove.objects.filter(swap=executed).first(),
        NotificationPreference: NotificationPreference.objects.filter(user=ann.user).first(),
        DeliverySettings: DeliverySettings.objects.get(user=ann.user),
        PushSubscription: device,
    }
    for model in program_owned_models():
        if model not in rows:
            rows[model] = model.objects.filter(program=program).order_by("pk").first()
    rows = {model: row for model, row in rows.items() if row is not None}
    assert program_feed.pk
    return ProgramWorld(world=world, marker=marker, admin=admin, rows=rows)


def program_owned_models() -> list[type[Model]]:
    """Every concrete model a program owns (history tables aside)."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, ProgramOwnedModel) and not model._meta.label.split(".")[1].startswith("Historical")
    ]

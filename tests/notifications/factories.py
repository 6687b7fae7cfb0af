import factory

from notifications.events import Channel, Event
from notifications.models import DeliverySettings, EmailLog, Notification, Preference
from tests.tenants.factories import ProgramFactory, UserFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    program = factory.SubFactory(ProgramFactory)
    recipient = factory.SubFactory(UserFactory)
    event = Event.SCHEDULE_PUBLISHED
    title = factory.Sequence(lambda n: f"Notification {n}")
    body = "Something happened."
    link = ""


class EmailLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmailLog

    program = factory.SubFactory(ProgramFactory)
    recipient = factory.SubFactory(UserFactory)
    to_email = factory.LazyAttribute(lambda log: log.recipient.email if log.recipient else "someone@example.org")
    event = Event.SCHEDULE_PUBLISHED
    subject = factory.Sequence(lambda n: f"Email {n}")
    text_body = "Hello"
    status = EmailLog.Status.SENT
    attempts = 1
    idempotency_key = factory.Sequence(lambda n: f"factory:{n}")


class PreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Preference

    user = factory.SubFactory(UserFactory)
    event = Event.SCHEDULE_PUBLISHED
    channel = Channel.EMAIL_NOW


class DeliverySettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliverySettings
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
    digest_hour = 7

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self) -> None:
        from notifications.models import PushSubscription
        from tenants.ownership import owned_model_register

        owned_model_register(PushSubscription, user_field="user")  # a device is its owner's alone

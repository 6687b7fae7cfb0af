"""Print a new VAPID key pair for web push, as environment lines (VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY)."""

from django.core.management.base import BaseCommand

from notifications.webpush import keys_generate


class Command(BaseCommand):
    help = "Print a new VAPID key pair for web push as VAPID_PUBLIC_KEY=... and VAPID_PRIVATE_KEY=... lines."

    def handle(self, *args, **options) -> None:
        public, private = keys_generate()
        self.stdout.write(f"VAPID_PUBLIC_KEY={public}\nVAPID_PRIVATE_KEY={private}\n")

from django.apps import AppConfig


class FeedsConfig(AppConfig):
    """Calendar feeds and their secret tokens: their own app (label "feeds"), on scheduling's old tables."""

    name = "integrations.feeds"
    label = "feeds"
    verbose_name = "Calendar feeds"

    def ready(self) -> None:
        """A person's calendar feed is theirs (guardian object permissions, tenants.ownership), and their page
        shows its link (scheduling.person_page: scheduling cannot import this app)."""
        from integrations.feeds.models import FeedToken
        from integrations.feeds.tokens import person_feed_link
        from scheduling.person_page import person_page_section_register
        from tenants.ownership import owned_model_register

        owned_model_register(FeedToken, "person")
        person_page_section_register("feed", template="integrations/_feed_link.html", build=person_feed_link)

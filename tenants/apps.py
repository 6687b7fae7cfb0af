from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Programs and users"

    def ready(self) -> None:
        """An organization's single sign-on section and a program's security section (require MFA for everyone)
        are checked by their readers before any form saves them; sign-ins and sign-outs go to the audit log;
        every ModelSerializer's dates keep to the window of tenants.params."""
        from tenants import audit_signals, login_security, serializer_fields  # noqa: F401
        from tenants.mfa import SECURITY_SETTINGS_KEY, security_settings_from_json
        from tenants.saml import SSO_SETTINGS_KEY, sso_settings_from_json
        from tenants.settings_sections import settings_section_register

        settings_section_register(SSO_SETTINGS_KEY, sso_settings_from_json)
        settings_section_register(SECURITY_SETTINGS_KEY, security_settings_from_json)
        serializer_fields.install()
        from tenants.selectors import rows_memo

        rows_memo.connect()
        # A personal API token is its user's (guardian object permissions, tenants.ownership).
        from tenants.models import PersonalAccessToken
        from tenants.ownership import owned_model_register

        owned_model_register(PersonalAccessToken, user_field="user")

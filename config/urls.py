from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from config import health, problems
from tenants import passkey_views
from tenants import views as tenant_views

urlpatterns = [
    # Browsers ask for /favicon.ico on pages that name no icon (the admin, a PDF or JSON opened in a tab).
    path("favicon.ico", lambda request: HttpResponsePermanentRedirect(static("icons/icon-192.png")), name="favicon"),
    path("healthz", health.alive(), name="healthz"),
    path("readyz", health.ready(), name="readyz"),
    path("admin/", admin.site.urls),
    # allauth's authenticator-app enrolment, which also counts as the session's second factor (tenants.mfa).
    path("accounts/2fa/totp/activate/", tenant_views.TotpEnrolView.as_view(), name="mfa_activate_totp"),
    # allauth's passkey pages, fitted: passkeys sign in, the last factor stays, all return to the security page.
    path("accounts/2fa/webauthn/", passkey_views.PasskeyListView.as_view(), name="mfa_list_webauthn"),
    path("accounts/2fa/webauthn/add/", passkey_views.PasskeyAddView.as_view(), name="mfa_add_webauthn"),
    path(
        "accounts/2fa/webauthn/keys/<int:pk>/edit/",
        passkey_views.PasskeyRenameView.as_view(),
        name="mfa_edit_webauthn",
    ),
    path(
        "accounts/2fa/webauthn/keys/<int:pk>/remove/",
        passkey_views.PasskeyRemoveView.as_view(),
        name="mfa_remove_webauthn",
    ),
    path("accounts/", include("allauth.urls")),
    path("sso/", include("tenants.saml_urls")),
    path("api/v1/", include("config.api_router")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("notifications/", include("notifications.urls")),
    path("credentials/", include("credentials.urls")),
    path("credentials/", include("integrations.certifications.urls")),  # the upload (/credentials/import/)
    path("absences/", include("absences.urls")),
    path("swaps/", include("swaps.urls")),
    path("analytics/", include("analytics.urls")),
    path("import/", include("integrations.imports.urls")),
    path("", include("mobile.urls")),
    path("jobs/", include("integrations.jobs.urls")),
    path("", include("tenants.urls")),
    path("", include("integrations.exports.urls")),
    path("", include("integrations.feeds.urls")),
    path("", include("scheduling.urls")),
]

handler404 = problems.page_not_found
handler500 = problems.server_error

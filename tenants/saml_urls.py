"""/sso/<slug>/: sign-in start, assertion consumer service and service provider metadata per institution."""

from django.urls import path

from tenants import saml_views

urlpatterns = [
    path("<slug:org_slug>/login/", saml_views.SsoLoginView.as_view(), name="sso-login"),
    path("<slug:org_slug>/acs/", saml_views.SsoAcsView.as_view(), name="sso-acs"),
    path("<slug:org_slug>/metadata/", saml_views.SsoMetadataView.as_view(), name="sso-metadata"),
]

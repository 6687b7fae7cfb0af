"""SAML single sign-on, one service provider per institution (djangosaml2 + pysaml2).

An institution's `settings["sso"]` holds its identity provider (metadata XML or URL), the email domains it vouches
for and the attribute names it sends; a program's `settings["sso"]` may name the role a person gets on a first
sign-in through the program's link (`jit_role`). djangosaml2 loads the service provider's configuration for each
request through `sp_config_for_request` (SAML_CONFIG_LOADER), so every institution has its own entity id, ACS and
metadata under /sso/<institution-slug>/.
"""

import contextlib
import datetime as dt
import fcntl
import ipaddress
import os
import shutil
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest
from django.urls import reverse
from saml2 import BINDING_HTTP_POST
from saml2.attribute_converter import ac_factory
from saml2.config import SPConfig
from saml2.mdstore import InMemoryMetaData

from tenants.errors import DomainError
from tenants.models import Organization, Role

SSO_SETTINGS_KEY = "sso"
SESSION_MARKER = "sso_sign_in"
JOIN_SESSION_KEY = "sso_join_program"

# Names common IdPs use: SAML2 URI (OID) names, their friendly names (pysaml2 converts the former into the latter),
# and the claim URIs of Microsoft Entra ID / ADFS.
DEFAULT_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "email": (
        "urn:oid:0.9.2342.19200300.100.1.3",
        "mail",
        "email",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    ),
    "first_name": (
        "urn:oid:2.5.4.42",
        "givenName",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
    ),
    "last_name": (
        "urn:oid:2.5.4.4",
        "sn",
        "surname",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
    ),
}
# Roles a first SSO sign-in may grant: never a manager role, which an admin gives by hand.
JIT_ROLES = tuple(role for role in Role.values if role not in (Role.ADMIN, Role.COORDINATOR))
KNOWN = (
    "enabled",
    "idp_metadata_xml",
    "idp_metadata_url",
    "email_domains",
    "attributes",
    "idp_enforces_mfa",
    "jit_role",
)
METADATA_MAX_BYTES = 5_000_000
METADATA_CACHE_SECONDS = 3600


class SsoSettingsError(DomainError):
    """An SSO setting that cannot be used; the message names it (e.g. sso.email_domains)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"SSO setting {path}: {message}", code="invalid_settings")


@dataclass(frozen=True, slots=True)
class SsoSettings:
    """An institution's identity provider (and, on a program, the role of a first sign-in through its link)."""

    enabled: bool = False
    idp_metadata_xml: str = ""
    idp_metadata_url: str = ""
    email_domains: tuple[str, ...] = ()
    attributes: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_ATTRIBUTES))
    idp_enforces_mfa: bool = False
    jit_role: str = ""


def _metadata_checked(xml: str, path: str) -> str:
    """The XML when it is SAML metadata naming at least one identity provider, else SsoSettingsError."""
    store = InMemoryMetaData(ac_factory(), xml)
    try:
        store.load()
    except Exception as exc:  # pysaml2 raises several kinds for bad XML
        raise SsoSettingsError(path, f"is not SAML metadata ({exc.__class__.__name__})") from None
    if not store.any("idpsso_descriptor", "single_sign_on_service"):
        raise SsoSettingsError(path, "names no identity provider with a single sign-on service")
    return xml


def _url_checked(url: str, path: str) -> str:
    parts = urllib.parse.urlsplit(url)
    loopback = parts.hostname == "localhost"
    with contextlib.suppress(ValueError):
        loopback = loopback or ipaddress.ip_address(parts.hostname or "").is_loopback
    if not parts.hostname or not (parts.scheme == "https" or (parts.scheme == "http" and loopback)):
        raise SsoSettingsError(path, "must be an https:// address")
    return url


def _attributes(data: Any, path: str) -> dict[str, tuple[str, ...]]:
    if data is None:
        return dict(DEFAULT_ATTRIBUTES)
    if not isinstance(data, dict):
        raise SsoSettingsError(path, 'must be an object such as {"email": "mail", "first_name": "givenName"}')
    unknown = sorted(set(data) - set(DEFAULT_ATTRIBUTES))
    if unknown:
        raise SsoSettingsError(f"{path}.{unknown[0]}", f"unknown field (known: {', '.join(DEFAULT_ATTRIBUTES)})")
    mapping = dict(DEFAULT_ATTRIBUTES)
    for key, names in data.items():
        names = [names] if isinstance(names, str) else names
        if not isinstance(names, list) or not names or not all(isinstance(n, str) and n.strip() for n in names):
            raise SsoSettingsError(f"{path}.{key}", "must be an attribute name or a list of them")
        mapping[key] = tuple(n.strip() for n in names)
    return mapping


def sso_settings_from_json(data: Any, *, path: str = SSO_SETTINGS_KEY) -> SsoSettings:
    """Validate an organization's SSO section (None = SSO off); SsoSettingsError names the setting at fault."""
    if data is None:
        return SsoSettings()
    if not isinstance(data, dict):
        raise SsoSettingsError(path, "must be an object")
    unknown = sorted(set(data) - set(KNOWN))
    if unknown:
        raise SsoSettingsError(f"{path}.{unknown[0]}", f"unknown setting (known: {', '.join(KNOWN)})")
    for flag in ("enabled", "idp_enforces_mfa"):
        if not isinstance(data.get(flag, False), bool):
            raise SsoSettingsError(f"{path}.{flag}", "must be true or false")
    xml, url = data.get("idp_metadata_xml") or "", data.get("idp_metadata_url") or ""
    if not isinstance(xml, str) or not isinstance(url, str):
        raise SsoSettingsError(f"{path}.idp_metadata_xml", "must be text")
    if xml and url:
        raise SsoSettingsError(f"{path}.idp_metadata_url", "give the metadata XML or its URL, not both")
    domains = data.get("email_domains", [])
    if not isinstance(domains, list) or not all(isinstance(d, str) and "." in d.strip(" @") for d in domains):
        raise SsoSettingsError(f"{path}.email_domains", 'must be a list of domains such as ["hospital.org"]')
    jit_role = data.get("jit_role") or ""
    if jit_role not in ("", *JIT_ROLES):
        raise SsoSettingsError(
            f"{path}.jit_role", f"must be one of {', '.join(JIT_ROLES)} or empty (admins give manager roles by hand)"
        )
    enabled = data.get("enabled", False)
    if enabled and not (xml or url):
        raise SsoSettingsError(f"{path}.idp_metadata_xml", "is required when SSO is enabled (or idp_metadata_url)")
    if enabled and not domains:
        raise SsoSettingsError(
            f"{path}.email_domains", "is required when SSO is enabled (the domains the IdP vouches for)"
        )
    return SsoSettings(
        enabled=enabled,
        idp_metadata_xml=_metadata_checked(xml, f"{path}.idp_metadata_xml") if xml else "",
        idp_metadata_url=_url_checked(url, f"{path}.idp_metadata_url") if url else "",
        email_domains=tuple(d.strip(" @").lower() for d in domains),
        attributes=_attributes(data.get("attributes"), f"{path}.attributes"),
        idp_enforces_mfa=data.get("idp_enforces_mfa", False),
        jit_role=jit_role,
    )


def sso_settings(organization: Organization) -> SsoSettings:
    """The organization's SSO settings, validated."""
    stored = organization.settings if isinstance(organization.settings, dict) else {}
    return sso_settings_from_json(stored.get(SSO_SETTINGS_KEY))


def sso_institutions_for_login():
    """Active institutions whose SSO is on, for the buttons of the sign-in page."""
    return Organization.objects.filter(
        kind=Organization.Kind.INSTITUTION, is_active=True, settings__sso__enabled=True
    ).order_by("name")


def sso_organizations(slug: str) -> tuple[Organization, Organization | None]:
    """(institution, program) named by a slug: an institution, or one of its programs; 404 unless its SSO is on."""
    organization = Organization.objects.select_related("parent").filter(slug=slug, is_active=True).first()
    if organization is None:
        raise Http404("No such institution.")
    institution, program = (organization.parent, organization) if organization.is_program else (organization, None)
    if not institution.is_active or not sso_settings(institution).enabled:
        raise Http404(f"{institution} has no single sign-on.")
    return institution, program


def sp_key_pair() -> tuple[str, str]:
    """(key file, certificate file) of our service provider: SAML_SP_KEY_FILE / SAML_SP_CERT_FILE, or in debug and
    tests a self-signed pair made once under var/saml/."""
    key_file, cert_file = settings.SAML_SP_KEY_FILE, settings.SAML_SP_CERT_FILE
    if key_file and cert_file:
        return key_file, cert_file
    if not (settings.DEBUG or settings.TESTING):
        raise ImproperlyConfigured("Single sign-on needs SAML_SP_KEY_FILE and SAML_SP_CERT_FILE (see docs/sso.md).")
    folder = Path(settings.VAR_DIR) / "saml"
    folder.mkdir(parents=True, exist_ok=True)
    key_path, cert_path = folder / "sp.key", folder / "sp.crt"
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (key_path.exists() and cert_path.exists()):
            key_pem, cert_pem = self_signed_pair("Residency Scheduler SP (development)")
            for path, data in ((key_path, key_pem), (cert_path, cert_pem)):
                tmp = path.with_suffix(".tmp")
                tmp.write_bytes(data)
                os.chmod(tmp, 0o600)
                tmp.replace(path)
    return str(key_path), str(cert_path)


def self_signed_pair(common_name: str) -> tuple[bytes, bytes]:
    """A new RSA key and a self-signed certificate for it (ten years), both PEM."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


def idp_metadata(sso: SsoSettings) -> str:
    """The IdP's metadata XML: as stored, or fetched from its URL (cached an hour)."""
    if sso.idp_metadata_xml:
        return sso.idp_metadata_xml
    cache_key = f"sso:metadata:{sso.idp_metadata_url}"
    xml = cache.get(cache_key)
    if xml is None:
        with urllib.request.urlopen(sso.idp_metadata_url, timeout=10) as response:  # noqa: S310 (https checked)
            xml = response.read(METADATA_MAX_BYTES + 1).decode("utf-8")
        if len(xml) > METADATA_MAX_BYTES:
            raise DomainError("The identity provider's metadata is larger than 5 MB.")
        _metadata_checked(xml, "sso.idp_metadata_url")
        cache.set(cache_key, xml, METADATA_CACHE_SECONDS)
    return xml


def _absolute(request: HttpRequest, path: str) -> str:
    return f"{settings.SITE_URL}{path}" if settings.SITE_URL else request.build_absolute_uri(path)


def sp_entity_id(request: HttpRequest, institution: Organization) -> str:
    """The institution's service provider entity id: the address of its metadata (stable, one per institution)."""
    return _absolute(request, reverse("sso-metadata", args=[institution.slug]))


def sp_config_for_request(request: HttpRequest) -> SPConfig:
    """djangosaml2's SAML_CONFIG_LOADER: the service provider of the institution the view resolved."""
    institution = getattr(request, "sso_institution", None)
    if institution is None:
        raise Http404("No institution named.")
    key_file, cert_file = sp_key_pair()
    xmlsec = shutil.which("xmlsec1")
    if xmlsec is None:
        raise ImproperlyConfigured("Single sign-on needs the xmlsec1 program (Debian package xmlsec1).")
    acs = _absolute(request, reverse("sso-acs", args=[institution.slug]))
    config = SPConfig()
    config.load(
        {
            "entityid": sp_entity_id(request, institution),
            "xmlsec_binary": xmlsec,
            "allow_unknown_attributes": True,
            "accepted_time_diff": 60,  # seconds of clock difference tolerated between IdP and us
            "service": {
                "sp": {
                    "name": f"Residency Scheduler — {institution.name}",
                    "endpoints": {
                        "assertion_consumer_service": [(acs, BINDING_HTTP_POST)],
                        "single_sign_on_service": [],
                    },
                    "allow_unsolicited": False,
                    "authn_requests_signed": True,
                    "want_assertions_signed": True,
                    "want_response_signed": False,
                    "only_use_keys_in_metadata": True,
                    "name_id_format_allow_create": False,
                }
            },
            "metadata": {"inline": [idp_metadata(sso_settings(institution))]},
            "key_file": key_file,
            "cert_file": cert_file,
            "encryption_keypairs": [{"key_file": key_file, "cert_file": cert_file}],
        }
    )
    return config


def sso_attributes(ava: dict[str, list[str]], sso: SsoSettings) -> dict[str, str]:
    """email, first_name and last_name from an assertion's attributes, by the institution's names (first found)."""
    values: dict[str, str] = {}
    for key, names in sso.attributes.items():
        found = next((ava[name] for name in names if ava.get(name)), [""])
        values[key] = str(found[0]).strip()
    return values


def sso_session_mark(request: HttpRequest, *, institution: Organization, mfa: bool) -> None:
    """Mark the session as signed in through the institution's IdP, and whether that IdP enforces MFA.

    When it does, the session also gets allauth's record of a passed second factor (method "mfa", type
    "saml_idp"), the record the MFA gate reads, so an SSO sign-in counts as the institution's strong sign-in.
    """
    if mfa:
        # allauth keeps its records through this function only (its public module re-exports just the reader).
        from allauth.account.internal.flows.login import record_authentication

        record_authentication(request, request.user, "mfa", type="saml_idp", institution=institution.slug)
    request.session[SESSION_MARKER] = {
        "user_id": request.user.pk,
        "institution_id": institution.pk,
        "idp_mfa": mfa,
        "at": dt.datetime.now(dt.UTC).isoformat(),
    }


def sso_session_satisfies_mfa(request: HttpRequest) -> bool:
    """True when this session's user signed in through an IdP whose institution says it enforces MFA: the MFA gate
    accepts that as the second factor."""
    marker = request.session.get(SESSION_MARKER) if hasattr(request, "session") else None
    user = getattr(request, "user", None)
    return bool(
        isinstance(marker, dict)
        and marker.get("idp_mfa") is True
        and user is not None
        and user.is_authenticated
        and marker.get("user_id") == user.pk
    )

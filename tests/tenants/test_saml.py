"""SAML single sign-on against a real identity provider: pysaml2's Server, with its own key, signs the assertions."""

import base64
import http.server
import shutil
import threading
import urllib.parse
from pathlib import Path

import pytest
from allauth.account.authentication import get_authentication_records
from django.test import Client
from saml2 import BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import AUTHN_PASSWORD_PROTECTED as PASSWORD
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from tenants.audit_models import AuditEvent
from tenants.models import Membership, Organization, Role, User
from tenants.saml import SESSION_MARKER, self_signed_pair
from tests.tenants.factories import InstitutionFactory, MembershipFactory, ProgramFactory, UserFactory

IDP = "https://idp.riverside.example/idp"


class HospitalIdP:
    """A SAML identity provider as a hospital runs one: it reads our AuthnRequest and signs its answer."""

    def __init__(self, folder: Path, *, entity_id: str = IDP, lifetime: dict | None = None) -> None:
        if not (folder / "idp.key").exists():  # a second IdP in the same folder is the same IdP (same key)
            key, cert = self_signed_pair("Test IdP")
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "idp.key").write_bytes(key)
            (folder / "idp.crt").write_bytes(cert)
        self.folder, self.entity_id, self.lifetime = folder, entity_id, lifetime or {"minutes": 15}
        self.server = self._server(sp_metadata=None)

    def _server(self, sp_metadata: str | None) -> Server:
        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "xmlsec_binary": shutil.which("xmlsec1"),
                "service": {
                    "idp": {
                        "name": "Riverside test IdP",
                        "endpoints": {"single_sign_on_service": [(f"{self.entity_id}/sso", BINDING_HTTP_REDIRECT)]},
                        "policy": {"default": {"lifetime": self.lifetime, "name_form": NAME_FORMAT_URI}},
                        "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    }
                },
                "metadata": {"inline": [sp_metadata]} if sp_metadata else {},
                "key_file": str(self.folder / "idp.key"),
                "cert_file": str(self.folder / "idp.crt"),
            }
        )
        return Server(config=config)

    @property
    def metadata(self) -> str:
        return str(entity_descriptor(self.server.config))

    def trust(self, sp_metadata: str) -> None:
        self.server = self._server(sp_metadata)

    def answer(self, location: str, *, email: str, sign: bool = True, **overrides) -> str:
        """The base64 SAMLResponse to the AuthnRequest in our redirect `location`."""
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
        request = self.server.parse_authn_request(
            query["SAMLRequest"][0],
            BINDING_HTTP_REDIRECT,
            relay_state=query["RelayState"][0],
            sigalg=query["SigAlg"][0],
            signature=query["Signature"][0],
        ).message
        arguments = {
            "identity": {"mail": [email], "givenName": ["Ada"], "sn": ["Lovelace"]},
            "in_response_to": request.id,
            "destination": request.assertion_consumer_service_url,
            "sp_entity_id": request.issuer.text,
            "name_id": NameID(format=NAMEID_FORMAT_PERSISTENT, text=f"id-{email}"),
            "authn": {"class_ref": PASSWORD, "authn_auth": self.entity_id},
            "sign_assertion": sign,
            "sign_response": False,
            "sign_alg": SIG_RSA_SHA256,
            "digest_alg": DIGEST_SHA256,
        } | overrides
        return base64.b64encode(str(self.server.create_authn_response(**arguments)).encode()).decode()


def sso_on(organization: Organization, **section) -> None:
    organization.settings = {**organization.settings, "sso": section}
    organization.full_clean()
    organization.save()


@pytest.fixture
def idp(tmp_path) -> HospitalIdP:
    return HospitalIdP(tmp_path / "idp")


@pytest.fixture
def riverside(db, idp, client) -> Organization:
    """An institution whose IdP vouches for riverside.example; its program Family Medicine takes residents."""
    institution = InstitutionFactory(name="Riverside Health", slug="riverside")
    sso_on(institution, enabled=True, idp_metadata_xml=idp.metadata, email_domains=["riverside.example"])
    program = ProgramFactory(parent=institution, name="Family Medicine", slug="riverside-fm")
    sso_on(program, jit_role="resident")
    idp.trust(client.get("/sso/riverside/metadata/").content.decode())
    return institution


def fm(institution: Organization) -> Organization:
    return institution.children.get(slug="riverside-fm")


def sign_in(client, idp: HospitalIdP, slug: str, *, email: str = "ada@riverside.example", acs: str = "riverside", **kw):
    start = client.get(f"/sso/{slug}/login/", {"next": "/"})
    assert start.status_code == 302, start.content
    response = idp.answer(start["Location"], email=email, **kw)
    return client.post(f"/sso/{acs}/acs/", {"SAMLResponse": response, "RelayState": "/"})


def test_sso_sign_in_through_program_link_creates_user_and_default_role(client, idp, riverside):
    response = sign_in(client, idp, "riverside-fm")

    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(email="ada@riverside.example")
    assert (user.first_name, user.last_name, user.has_usable_password()) == ("Ada", "Lovelace", False)
    assert list(Membership.objects.filter(user=user).values_list("organization__slug", "role")) == [
        ("riverside-fm", Role.RESIDENT)
    ]
    assert client.get("/").wsgi_request.user == user
    assert client.session[SESSION_MARKER]["idp_mfa"] is False
    events = AuditEvent.objects.order_by("pk")
    assert [(e.action, e.actor_id, e.program_id) for e in events] == [
        ("auth.login", user.pk, None),
        ("sso.user_created", user.pk, fm(riverside).pk),
        ("membership.created", user.pk, fm(riverside).pk),
        ("sso.login", user.pk, fm(riverside).pk),
    ]
    assert events[2].after == {"user": "ada@riverside.example", "role": "resident"}


def test_sso_sign_in_of_a_known_member_keeps_their_role(client, idp, riverside):
    ada = UserFactory(email="ada@riverside.example", first_name="A")
    MembershipFactory(user=ada, organization=fm(riverside), role=Role.FACULTY)

    assert sign_in(client, idp, "riverside-fm").status_code == 302

    assert list(Membership.objects.filter(user=ada).values_list("role", flat=True)) == [Role.FACULTY]
    ada.refresh_from_db()
    assert ada.first_name == "Ada"


def test_sso_sign_in_without_a_program_or_default_role_gives_no_role(client, idp, riverside):
    assert sign_in(client, idp, "riverside").status_code == 302
    sso_on(fm(riverside))  # the program picks no default role: none until an admin grants one
    assert sign_in(Client(), idp, "riverside-fm", email="bo@riverside.example").status_code == 302

    assert User.objects.filter(email__in=["ada@riverside.example", "bo@riverside.example"]).count() == 2
    assert not Membership.objects.exists()


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("tampered", "changed on the way"),
        ("unsigned", "only a signed assertion is accepted"),
        ("other audience", "not addressed to this site"),
        ("other address", "not addressed to this site"),
    ],
)
def test_sso_refuses_a_response_that_cannot_be_trusted(client, idp, riverside, case, expected):
    start = client.get("/sso/riverside-fm/login/")
    overrides = {
        "unsigned": {"sign": False},
        "other audience": {"sp_entity_id": "https://elsewhere.example/sp"},
        "other address": {"destination": "https://elsewhere.example/sso/riverside/acs/"},
    }.get(case, {})
    saml_response = idp.answer(start["Location"], email="ada@riverside.example", **overrides)
    if case == "tampered":  # an attribute changed after the IdP signed
        xml = base64.b64decode(saml_response).decode().replace("ada@riverside.example", "eve@riverside.example")
        saml_response = base64.b64encode(xml.encode()).decode()

    response = client.post("/sso/riverside/acs/", {"SAMLResponse": saml_response})

    assert response.status_code == 403
    page = response.content.decode()
    assert "Sign-in with Riverside Health was refused" in page and expected in page
    assert not User.objects.exists() and not Membership.objects.exists()
    assert not response.wsgi_request.user.is_authenticated
    refusal = AuditEvent.objects.get(action="sso.login_failed")
    assert refusal.action == "sso.login_failed" and expected in refusal.detail and refusal.actor is None


@pytest.mark.parametrize(
    "garbage", ["", "not base64 at all", "PD94bWwgdmVyc2lvbj0iMS4wIj8+", "\x00" * 10, "A" * 100_000]
)
def test_sso_refuses_garbage_without_a_server_error(client, riverside, garbage):
    client.get("/sso/riverside/login/")

    response = client.post("/sso/riverside/acs/", {"SAMLResponse": garbage})

    assert response.status_code == 403
    assert "was refused" in response.content.decode()
    assert not User.objects.exists()


def test_sso_refuses_an_expired_response(client, riverside, tmp_path, idp):
    late = HospitalIdP(tmp_path / "idp", lifetime={"minutes": -10})  # the same key and identity, its clock past
    late.trust(client.get("/sso/riverside/metadata/").content.decode())

    response = sign_in(client, late, "riverside-fm")

    assert response.status_code == 403
    assert "has expired" in response.content.decode()
    assert not User.objects.exists()


def test_sso_refuses_a_replayed_response(client, idp, riverside):
    start = client.get("/sso/riverside-fm/login/")
    saml_response = idp.answer(start["Location"], email="ada@riverside.example")
    assert client.post("/sso/riverside/acs/", {"SAMLResponse": saml_response}).status_code == 302
    client.logout()

    again = client.post("/sso/riverside/acs/", {"SAMLResponse": saml_response})

    assert again.status_code == 403
    assert "answers no sign-in started from this browser" in again.content.decode()


def test_sso_refuses_addresses_outside_the_institution_domains(client, idp, riverside):
    response = sign_in(client, idp, "riverside-fm", email="mallory@elsewhere.example")

    assert response.status_code == 403
    assert "riverside.example only" in response.content.decode()
    assert not User.objects.exists()


def test_sso_of_institution_a_never_grants_a_role_in_b(client, idp, riverside):
    """B trusts the very same IdP: an assertion addressed to A is refused at B's ACS, and an account with a role in
    B is never signed in by A's IdP."""
    other = InstitutionFactory(name="Lakeside Clinics", slug="lakeside")
    sso_on(other, enabled=True, idp_metadata_xml=idp.metadata, email_domains=["riverside.example"])
    other_program = ProgramFactory(parent=other, slug="lakeside-im")
    sso_on(other_program, jit_role="resident")

    crossed = sign_in(client, idp, "riverside-fm", acs="lakeside")
    assert crossed.status_code == 403
    assert not Membership.objects.exists()

    bo = UserFactory(email="bo@riverside.example")
    MembershipFactory(user=bo, organization=other_program, role=Role.COORDINATOR)
    refused = sign_in(Client(), idp, "riverside-fm", email="bo@riverside.example")
    assert refused.status_code == 403
    assert "has roles outside Riverside Health" in refused.content.decode()
    assert list(Membership.objects.values_list("user__email", "organization__slug")) == [
        ("bo@riverside.example", "lakeside-im")
    ]


def test_sso_never_signs_in_a_superuser(client, idp, riverside):
    User.objects.create_superuser("root@riverside.example", "correct-horse-battery")

    response = sign_in(client, idp, "riverside", email="root@riverside.example")

    assert response.status_code == 403
    assert "site administrator" in response.content.decode()


def test_sso_session_counts_as_mfa_only_when_the_idp_enforces_it(client, idp, riverside):
    from tenants.saml import sso_session_satisfies_mfa

    sso_on(riverside, **{**riverside.settings["sso"], "idp_enforces_mfa": True})
    sign_in(client, idp, "riverside-fm")
    request = client.get("/").wsgi_request
    assert sso_session_satisfies_mfa(request)
    records = get_authentication_records(request, request.user)
    assert [(r["method"], r["type"], r["institution"]) for r in records] == [("mfa", "saml_idp", "riverside")]

    sso_on(riverside, **{**riverside.settings["sso"], "idp_enforces_mfa": False})
    other = Client()
    sign_in(other, idp, "riverside-fm")
    request = other.get("/").wsgi_request
    assert not sso_session_satisfies_mfa(request)
    assert not get_authentication_records(request, request.user)


def test_sp_metadata_is_served_per_institution_with_our_certificate(client, riverside):
    response = client.get("/sso/riverside/metadata/")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/xml")
    xml = response.content.decode()
    assert 'entityID="http://testserver/sso/riverside/metadata/"' in xml
    assert 'Location="http://testserver/sso/riverside/acs/"' in xml
    assert "X509Certificate" in xml and 'AuthnRequestsSigned="true"' in xml
    assert client.get("/sso/riverside-fm/metadata/").status_code == 404
    assert client.get("/sso/nowhere/metadata/").status_code == 404
    InstitutionFactory(slug="no-sso")
    assert client.get("/sso/no-sso/login/").status_code == 404


def test_login_page_offers_the_institution_sign_in(client, riverside):
    page = client.get("/accounts/login/").content.decode()

    assert "Sign in with Riverside Health" in page
    assert 'href="/sso/riverside/login/' in page


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"enabled": True, "email_domains": ["riverside.example"]}, "sso.idp_metadata_xml: is required"),
        ({"enabled": True, "idp_metadata_xml": "<not-metadata/>", "email_domains": ["x.example"]}, "names no identity"),
        ({"enabled": True, "idp_metadata_xml": "<<<", "email_domains": ["x.example"]}, "is not SAML metadata"),
        (
            {"enabled": True, "idp_metadata_url": "http://idp.example/md", "email_domains": ["x.example"]},
            "must be an https:// address",
        ),
        ({"jit_role": "admin"}, "sso.jit_role: must be one of"),
        ({"attributes": {"email": 3}}, "sso.attributes.email"),
        ({"idp_enforces_mfa": "yes"}, "must be true or false"),
    ],
)
def test_sso_settings_refuse_what_cannot_work(db, section, message):
    from django.core.exceptions import ValidationError

    institution = InstitutionFactory()
    institution.settings = {"sso": section}
    with pytest.raises(ValidationError, match=message):
        institution.full_clean()


@pytest.fixture
def metadata_server(idp):
    """The IdP's metadata served over HTTP on the loopback address, counting the requests it answers."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            body = idp.metadata.encode() if self.path == "/metadata.xml" else b"<html>not metadata</html>"
            self.send_response(200)
            self.send_header("Content-Type", "application/samlmetadata+xml")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def test_sso_reads_idp_metadata_from_its_url_once_an_hour(client, idp, riverside, metadata_server):
    base, hits = metadata_server
    sso_on(riverside, enabled=True, idp_metadata_url=f"{base}/metadata.xml", email_domains=["riverside.example"])

    assert sign_in(client, idp, "riverside-fm").status_code == 302

    assert User.objects.filter(email="ada@riverside.example").exists()
    assert hits == ["/metadata.xml"]


def test_sso_without_readable_idp_metadata_says_so(client, riverside, metadata_server):
    base, _ = metadata_server
    sso_on(riverside, enabled=True, idp_metadata_url=f"{base}/wrong.xml", email_domains=["riverside.example"])

    response = client.get("/sso/riverside/login/")

    assert response.status_code == 503
    page = response.content.decode()
    assert "Sign-in with Riverside Health is unavailable" in page and "could not be reached" in page


def test_sso_refusals_do_not_lock_the_address_for_password_sign_ins(client, idp, riverside, settings):
    """Hospital staff often share one address: people the IdP vouches for but our rules refuse are not password
    guesses, and do not count toward the lockout."""
    from axes.models import AccessAttempt, AccessFailureLog

    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        assert sign_in(client, idp, "riverside-fm", email="mallory@elsewhere.example").status_code == 403

    assert not AccessAttempt.objects.exists() and not AccessFailureLog.objects.exists()
    assert sign_in(client, idp, "riverside-fm").status_code == 302


@pytest.mark.parametrize("idp_enforces_mfa", [True, False])
def test_a_coordinator_signed_in_by_sso_passes_the_mfa_gate_only_when_the_idp_enforces_mfa(
    idp, riverside, idp_enforces_mfa
):
    coordinator = UserFactory(email="cora@riverside.example")
    MembershipFactory(user=coordinator, organization=fm(riverside), role=Role.COORDINATOR)
    sso_on(riverside, **{**riverside.settings["sso"], "idp_enforces_mfa": idp_enforces_mfa})
    browser = Client()

    assert sign_in(browser, idp, "riverside", email="cora@riverside.example").status_code == 302
    dashboard = browser.get("/")

    if idp_enforces_mfa:
        assert dashboard.status_code == 200 and dashboard.wsgi_request.user == coordinator
    else:  # the app's own second factor: enrol an authenticator first
        assert dashboard.status_code == 302 and dashboard["Location"].startswith("/accounts/")

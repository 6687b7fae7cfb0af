"""A software passkey for tests through allauth's own WebAuthn pages: it answers the challenge allauth stored in the
session the way a phone's authenticator does (an ES256 key, "none" attestation, user present and verified), so the
real fido2 server checks the signatures. `origin` must be one the server accepts: https://<host of the request>."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field

from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.webauthn.internal.auth import STATE_SESSION_KEY
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.cose import ES256
from fido2.utils import websafe_encode
from fido2.webauthn import (
    Aaguid,
    AttestationObject,
    AttestedCredentialData,
    AuthenticatorData,
    CollectedClientData,
)

FLAGS = AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.UV


@dataclass
class SoftPasskey:
    """One credential on one software authenticator, for the relying party `rp_id` (the site's host name)."""

    rp_id: str = "testserver"
    origin: str = "https://testserver"
    credential_id: bytes = field(default_factory=lambda: os.urandom(32))
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    user_handle: bytes = b""
    counter: int = 0

    def _client_data(self, kind: str, challenge: str) -> CollectedClientData:
        return CollectedClientData.create(type=kind, challenge=challenge, origin=self.origin)

    def _auth_data(self, credential_data: bytes = b"") -> AuthenticatorData:
        self.counter += 1
        flags = FLAGS | (AuthenticatorData.FLAG.AT if credential_data else 0)
        return AuthenticatorData.create(
            hashlib.sha256(self.rp_id.encode()).digest(), flags, self.counter, credential_data
        )

    def register(self, challenge: str, user_handle: bytes, resident: bool = True) -> str:
        """The JSON the browser posts after navigator.credentials.create() for `challenge` (base64url)."""
        self.user_handle = user_handle
        public_key = ES256.from_cryptography_key(self.key.public_key())
        credential_data = AttestedCredentialData.create(Aaguid.NONE, self.credential_id, public_key)
        attestation = AttestationObject.create("none", self._auth_data(credential_data), {})
        client_data = self._client_data("webauthn.create", challenge)
        return json.dumps(
            {
                "id": websafe_encode(self.credential_id),
                "rawId": websafe_encode(self.credential_id),
                "type": "public-key",
                "response": {
                    "clientDataJSON": websafe_encode(client_data),
                    "attestationObject": websafe_encode(attestation),
                },
                "clientExtensionResults": {"credProps": {"rk": resident}},
            }
        )

    def sign_in(self, challenge: str) -> str:
        """The JSON the browser posts after navigator.credentials.get() for `challenge` (base64url)."""
        auth_data = self._auth_data()
        client_data = self._client_data("webauthn.get", challenge)
        signature = self.key.sign(auth_data + client_data.hash, ec.ECDSA(hashes.SHA256()))
        return json.dumps(
            {
                "id": websafe_encode(self.credential_id),
                "rawId": websafe_encode(self.credential_id),
                "type": "public-key",
                "response": {
                    "clientDataJSON": websafe_encode(client_data),
                    "authenticatorData": websafe_encode(auth_data),
                    "signature": websafe_encode(signature),
                    "userHandle": websafe_encode(self.user_handle),
                },
                "clientExtensionResults": {},
            }
        )


def user_handle(user) -> bytes:
    """The user handle allauth gives a user's passkeys (their id as allauth writes it in URLs: base 36)."""
    return user_pk_to_url_str(user).encode()


def challenge_of(client) -> str:
    """The challenge allauth stored in the test client's session when it began a ceremony."""
    return client.session[STATE_SESSION_KEY]["challenge"]

"""Deterministic fixture builders: the base badge V, its JCS twin, a presentation P.

Keys come from fixed seeds, and Ed25519 is deterministic, so every byte is stable.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass

from vc.did import did_key_from_public_key
from vc.errors import LaurelError
from vc.keys import Ed25519KeyPair
from vc.openbadges import Achievement, build_open_badge
from vc.proofs import add_proof
from vc.types import JSONObject

CREATED = "2026-01-01T00:00:00Z"


@dataclass(frozen=True)
class Party:
    key: Ed25519KeyPair
    did: str

    @property
    def vm(self) -> str:
        return f"{self.did}#{self.key.public_key.multibase}"


def party(name: str) -> Party:
    key = Ed25519KeyPair.from_seed(hashlib.sha256(name.encode()).digest())
    return Party(key, did_key_from_public_key(key.public_key))


ISSUER = party("issuer kA")
HOLDER = party("holder kH")
MALLORY = party("mallory kM")


def unsigned_badge(
    issuer: Party = ISSUER, subject: str | None = None, **options: str
) -> JSONObject:
    return build_open_badge(
        Achievement(
            name="Formative Assessment in Practice",
            description="Designs and uses formative assessment to adjust instruction.",
            criteria_narrative="Three annotated lesson plans scored proficient on the district rubric.",
            id="urn:uuid:6f1a3c1e-4f1b-4d59-9a57-1c0f4b3a9e10",
        ),
        issuer_id=issuer.did,
        issuer_name="Riverside School District",
        subject_id=subject or HOLDER.did,
        valid_from=options.pop("valid_from", "2026-01-01T00:00:00Z"),
        credential_id="urn:uuid:0c2d5a4e-8f0b-4b6e-9a3b-2f1e7d6c5b4a",
        **options,
    )


def sign(
    document: JSONObject, signer: Party = ISSUER, *, suite: str = "eddsa-rdfc-2022", **options: str
) -> JSONObject:
    vm = options.pop("verification_method", signer.vm)
    return add_proof(document, signer.key, vm, cryptosuite=suite, created=CREATED, **options)


def badge(suite: str = "eddsa-rdfc-2022", **options: str) -> JSONObject:
    """V (or VJ with suite eddsa-jcs-2022): a valid OB3 badge by ISSUER for HOLDER."""
    return sign(unsigned_badge(**options), suite=suite)


def presentation(
    credentials: list[JSONObject],
    holder: Party = HOLDER,
    *,
    signer: Party | None = None,
    challenge: str | None = "c-1234",
    domain: str | None = "hiring.example",
    purpose: str = "authentication",
    suite: str = "eddsa-rdfc-2022",
) -> JSONObject:
    """P: a presentation by `holder` of `credentials`, signed by `signer` (the holder by default)."""
    vp: JSONObject = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": holder.did,
        "verifiableCredential": copy.deepcopy(credentials),
    }
    by = signer or holder
    options = {k: v for k, v in {"challenge": challenge, "domain": domain}.items() if v is not None}
    return add_proof(
        vp, by.key, by.vm, cryptosuite=suite, created=CREATED, proof_purpose=purpose, **options
    )


class JsonWeb:
    """A fake web: URL -> JSON document; records every request, and a missing page is a 404."""

    def __init__(self, pages: dict[str, object]) -> None:
        self.pages = pages
        self.requests: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.requests.append(url)
        if url not in self.pages:
            raise LaurelError(f"404 {url}")
        return json.dumps(self.pages[url]).encode()

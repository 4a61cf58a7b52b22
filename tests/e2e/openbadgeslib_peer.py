"""Runs INSIDE a throwaway venv that has openbadgeslib (never laurel's): issue and verify.

    python openbadgeslib_peer.py issue OUT_DIR    # openbadgeslib issues badges into OUT_DIR
    python openbadgeslib_peer.py verify IN_DIR    # openbadgeslib verifies laurel's badges

`issue` writes every kind openbadgeslib issues (OB 3.0 VC-JWT with EdDSA, ES256 and
RS256; OB 3.0 Data Integrity eddsa-rdfc-2022 as JSON, PNG and SVG; OB 2.0 signed JWS,
baked PNG and SVG, and hosted; a Bitstring status list as a VC-JWT with one revoked
and one active badge) and `web/` (the documents its URLs serve) plus `meta.json`.
`verify` prints one JSON object: for each laurel artifact, "ok" or the error.
openbadgeslib is imported inside the functions: laurel's test collection imports this
module too (doctests) and must not need it.
"""

from __future__ import annotations

import base64
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SITE = "https://issuer.example"
EMAIL = "ana@school.example"
ISSUED = datetime(2026, 1, 1, tzinfo=UTC)
# A 1x1 PNG and a small SVG to bake into.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108000000003a7e9b55"
    "0000000a49444154789c636000000002000148afa4710000000049454e44ae426082"
)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle r="4"/></svg>'


def _pem_pair(kind: str) -> tuple[bytes, bytes]:
    from openbadgeslib.keys import KeyECC, KeyEd25519, KeyRSA

    factory = {"ed25519": KeyEd25519, "ec": KeyECC, "rsa": KeyRSA}[kind]()
    return factory.generate_keypair()


def issue(out: Path) -> None:
    """Issue one of every kind openbadgeslib can issue into `out`."""
    from openbadgeslib.ob2 import models as ob2
    from openbadgeslib.ob2.signer import OB2Signer
    from openbadgeslib.ob3.credential import Achievement, Issuer, OpenBadgeCredential
    from openbadgeslib.ob3.did import did_key_from_pem
    from openbadgeslib.ob3.ldp import OB3LdpSigner
    from openbadgeslib.ob3.signer import OB3Signer
    from openbadgeslib.ob3.status_list import (
        build_status_list_credential,
        sign_status_list_credential,
        status_entry,
    )

    web = out / "web"
    web.mkdir(parents=True, exist_ok=True)
    ed_priv, ed_pub = _pem_pair("ed25519")
    ec_priv, ec_pub = _pem_pair("ec")
    rsa_priv, rsa_pub = _pem_pair("rsa")
    ed_did = did_key_from_pem(ed_pub)
    ec_did = did_key_from_pem(ec_pub)
    achievement = Achievement(
        id="urn:uuid:3c3f2c1e-5b1a-4a2e-9a53-2b6f0f7f0e01",
        name="Formative Assessment",
        description="Uses exit tickets every week.",
        criteria_narrative="Submitted three lesson plans with exit tickets.",
    )

    def credential(issuer_id: str, **extra: Any) -> OpenBadgeCredential:
        return OpenBadgeCredential(
            issuer=Issuer(id=issuer_id, name="District 9"),
            recipient_id="did:example:ana",
            achievement=achievement,
            issuance_date=ISSUED,
            **extra,
        )

    files: dict[str, bytes | str] = {}
    jwt_signer = OB3Signer(ed_priv, algorithm="EdDSA")
    files["ob3-eddsa.jwt"] = jwt_signer.sign(credential(ed_did))
    files["ob3-es256.jwt"] = OB3Signer(ec_priv, algorithm="ES256").sign(credential(ec_did))
    files["ob3-rs256.jwt"] = OB3Signer(rsa_priv, algorithm="RS256").sign(
        credential(f"{SITE}/profile")
    )
    files["ob3-jwt.png"] = jwt_signer.sign_into_png(credential(ed_did), PNG)
    files["ob3-jwt.svg"] = jwt_signer.sign_into_svg(credential(ed_did), SVG)
    ldp = OB3LdpSigner(ed_priv)
    files["ob3-ldp.json"] = ldp.sign_to_json(credential(ed_did), created=ISSUED)
    files["ob3-ldp.png"] = ldp.sign_into_png(credential(ed_did), PNG)
    files["ob3-ldp.svg"] = ldp.sign_into_svg(credential(ed_did), SVG)

    # A status list published as a VC-JWT (openbadgeslib publishes only those).
    list_url = f"{SITE}/status/1"
    listing = build_status_list_credential(ed_did, list_url, "revocation", [5], issued=ISSUED)
    _put(web, list_url, sign_status_list_credential(listing, ed_priv, "EdDSA"))
    for name, index in (("ob3-revoked.jwt", 5), ("ob3-active.jwt", 6)):
        entry = status_entry(list_url, "revocation", index)
        files[name] = jwt_signer.sign(credential(ed_did, credential_status=[entry]))

    # Open Badges 2.0: an Issuer Profile with its key, a BadgeClass, assertions.
    issuer = ob2.Profile(
        id=f"{SITE}/ob2/issuer",
        name="District 9",
        public_key=[f"{SITE}/ob2/key"],
        revocation_list=f"{SITE}/ob2/revocations",
    )
    key = ob2.CryptographicKey(
        id=f"{SITE}/ob2/key", owner=issuer.id, public_key_pem=rsa_pub.decode()
    )
    badge = ob2.BadgeClass(
        id=f"{SITE}/ob2/badge",
        name="Formative Assessment",
        description="Uses exit tickets.",
        image=f"{SITE}/ob2/badge.png",
        criteria=f"{SITE}/ob2/criteria",
        issuer=issuer.id,
    )
    revocations = ob2.RevocationList(id=f"{SITE}/ob2/revocations", issuer=issuer.id)
    for document in (issuer, key, badge, revocations):
        _put(web, document.id, json.dumps(document.to_dict()))
    recipient = ob2.IdentityObject.create(EMAIL, salt="deadsea")
    signed = ob2.Assertion(
        recipient=recipient,
        badge=badge.id,
        verification=ob2.Verification(type="SignedBadge", creator=key.id),
        issued_on=ISSUED,
    )
    ob2_signer = OB2Signer(rsa_priv, algorithm="RS256")
    files["ob2-signed.jws"] = ob2_signer.sign(signed)
    files["ob2-signed.png"] = ob2_signer.sign_into_png(signed, PNG)
    files["ob2-signed.svg"] = ob2_signer.sign_into_svg(signed, SVG)
    hosted = ob2.Assertion(
        id=f"{SITE}/ob2/assertions/2",
        recipient=recipient,
        badge=badge.id,
        verification=ob2.Verification(type="HostedBadge"),
        issued_on=ISSUED,
    )
    files["ob2-hosted.json"] = json.dumps(hosted.to_dict())
    _put(web, str(hosted.id), json.dumps(hosted.to_dict()))

    for name, data in files.items():
        target = out / name
        if isinstance(data, bytes):
            target.write_bytes(data)
        else:
            target.write_text(data)
    from cryptography.hazmat.primitives.serialization import load_pem_public_key
    from jwt.algorithms import RSAAlgorithm

    rsa_jwk = json.loads(RSAAlgorithm.to_jwk(load_pem_public_key(rsa_pub)))
    meta = {
        "site": SITE,
        "email": EMAIL,
        # The RS256 issuer is an https profile: these are the keys a verifier would
        # read from it (openbadgeslib puts only a bare `jwk` in the JOSE header).
        "issuer_jwks": {"ob3-rs256.jwt": [rsa_jwk]},
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=1))


def _put(web: Path, url: str, text: str) -> None:
    """Write what `url` serves under web/, at the URL's path."""
    path = web / url.removeprefix(SITE + "/")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def verify(folder: Path) -> None:
    """Verify laurel's badges with openbadgeslib; print {file: "ok" | error}."""
    from openbadgeslib.ob3.ldp import OB3LdpVerifier
    from openbadgeslib.ob3.verifier import OB3Verifier

    results: dict[str, str] = {}
    for path in sorted(folder.iterdir()):
        try:
            if path.suffix == ".json":
                document = json.loads(path.read_text())
                issuer = document["issuer"]
                did = issuer["id"] if isinstance(issuer, dict) else issuer
                OB3LdpVerifier.for_issuer_did(did).verify(document)
            elif path.suffix == ".jwt":
                token = path.read_text().strip()
                payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
                issuer = payload["issuer"]
                did = issuer["id"] if isinstance(issuer, dict) else issuer
                OB3Verifier.for_issuer_did(did).verify(token)
            else:
                continue
            results[path.name] = "ok"
        except Exception as exc:
            results[path.name] = f"{type(exc).__name__}: {exc}"
    print(json.dumps(results))


def main(argv: list[str]) -> int:
    """Dispatch `issue` / `verify`."""
    command, folder = argv[1], Path(argv[2])
    if command == "issue":
        issue(folder)
    elif command == "verify":
        verify(folder)
    else:
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

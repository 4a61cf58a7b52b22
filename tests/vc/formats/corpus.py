"""Library-level verdicts on the real-world corpus (tests/vectors/formats).

This composes laurel's library pieces (never the verifier pipeline, which is being
rewritten) the way the pipeline will: detect the input, read it with its format's
reader, check every proof with the key its issuer controls, the validity period, the
status list, and the schemas. The corpus itself is the only "web": `OfflineWeb`
serves a fixture file for the URL it was published at, and nothing else.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from vc import jsonld
from vc.baking import BakingError, unbake_all
from vc.controller_docs import resolve_https_method
from vc.did import DidResolver, VerificationMethod, verification_method_did
from vc.errors import DidResolutionError, LaurelError, MalformedDocumentError, UnsupportedSuiteError
from vc.formats.detect import detect
from vc.formats.jwt import decode_jwt, verify_jwt
from vc.formats.ob2 import verify_ob2
from vc.jsontext import parse_document
from vc.proofs import proofs_of, suite_for, verify_signature
from vc.results import CheckResult, Status
from vc.schema import check_credential_schema, check_schema
from vc.status import StatusListError, parse_status_entry, read_list_credential
from vc.status2021 import parse_status_list_2021_entry, read_status_list_2021_credential
from vc.types import JSONObject

CORPUS = Path(__file__).resolve().parents[2] / "vectors" / "formats"
NOW = dt.datetime(2027, 6, 1, 12, 0, tzinfo=dt.UTC)

#: Where each source published its files, as laid out in the corpus.
PUBLISHED = {
    "https://digitalcredentials.github.io/vc-test-fixtures/": "dcc-vc-test-fixtures/",
    "https://digitalcredentials.github.io/dcc-did-web/": "dcc-did-web/",
    "https://raw.githubusercontent.com/digitalcredentials/verifier-core/refs/heads/main/src/test-fixtures/": "dcc-verifier-core/",
    "https://raw.githubusercontent.com/1EdTech/digital-credentials-public-validator/refs/heads/main/inspector-vc/src/test/resources/": "1edtech-validator/",
    # What openbadgeslib's issuing run published (tests/e2e/openbadgeslib_peer.py).
    "https://issuer.example/": "openbadgeslib/web/",
    # 1EdTech's OB 2.0 tests serve these three origins from ob20/assets (OB20Tests.localDomains).
    "https://example.org/": "1edtech-validator/ob20/assets/",
    "http://example.org/": "1edtech-validator/ob20/assets/",
    "https://www.example.org/": "1edtech-validator/ob20/assets/",
}


class OfflineWeb:
    """The corpus as the web: a URL answers only when a fixture was published there."""

    def __init__(self, extra: dict[str, bytes] | None = None) -> None:
        self.extra = dict(extra or {})
        self.requests: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.requests.append(url)
        if url in self.extra:
            return self.extra[url]
        for prefix, folder in PUBLISHED.items():
            if url.startswith(prefix):
                path = CORPUS / folder / url[len(prefix) :]
                if path.is_file():
                    return path.read_bytes()
        raise LaurelError(f"{url[:120]} is not reachable offline (not in the corpus)")


@dataclass
class Verdict:
    checks: list[CheckResult] = field(default_factory=list)
    kind: str = ""

    @property
    def verified(self) -> bool:
        return bool(self.checks) and not self.failures

    @property
    def failures(self) -> list[str]:
        return sorted({c.id for c in self.checks if c.status is Status.FAILED})

    def text(self) -> str:
        return "verified" if self.verified else "not verified: " + ", ".join(self.failures)


def _issuer(document: JSONObject) -> str | None:
    issuer = document.get("issuer")
    value = issuer.get("id") if isinstance(issuer, dict) else issuer
    return value if isinstance(value, str) else None


def _method(
    vm_url: object, issuer: str | None, web: OfflineWeb
) -> VerificationMethod | CheckResult:
    if not isinstance(vm_url, str):
        return CheckResult.failed("proof.malformed", "the proof has no verificationMethod")
    try:
        if vm_url.startswith("did:"):
            did = verification_method_did(vm_url)
            document = DidResolver(web_fetcher=web).resolve(did)
            method = document.verification_method(vm_url)
            if document.id != issuer or vm_url not in document.assertion_method:
                return CheckResult.failed(
                    "issuer.controller_mismatch", "the key is not an assertion key of the issuer"
                )
            return method
        return resolve_https_method(vm_url, issuer=issuer, fetch=web)
    except DidResolutionError as exc:
        return CheckResult.failed(f"issuer.{exc.code}", exc.message)
    except LaurelError as exc:  # the fetcher's refusal (offline: not in the corpus)
        return CheckResult.failed("issuer.unreachable", exc.message)


def _contexts_bundled(document: JSONObject) -> CheckResult | None:
    for url in jsonld.context_urls(document):
        if not isinstance(url, str):
            return CheckResult.failed(
                "proof.inline_context", "an inline @context is not signed safely"
            )
        try:
            jsonld.load_context(url)
        except LaurelError:
            return CheckResult.failed(
                "proof.unknown_context", f"context {url[:100]} is not bundled"
            )
    return None


def check_proofs(document: JSONObject, web: OfflineWeb) -> list[CheckResult]:
    """Every proof: suite allowed, key the issuer's, purpose, signature; terms all signed."""
    try:
        proofs = proofs_of(document)
    except MalformedDocumentError as exc:
        return [CheckResult.failed(f"proof.{exc.code.removeprefix('proof_')}", exc.message)]
    unknown = _contexts_bundled(document)
    if unknown is not None:
        return [unknown]
    checks: list[CheckResult] = []
    try:
        dropped = jsonld.undefined_terms(document)
    except LaurelError as exc:
        return [CheckResult.failed("proof.malformed", str(exc))]
    if dropped:
        checks.append(CheckResult.failed("proof.undefined_term", ", ".join(dropped)[:120]))
    issuer = _issuer(document)
    for proof in proofs:
        try:
            suite_for(proof)
        except UnsupportedSuiteError as exc:
            checks.append(CheckResult.failed("proof.unsupported_cryptosuite", str(exc)))
            continue
        if proof.get("proofPurpose") != "assertionMethod":
            checks.append(CheckResult.failed("proof.purpose_mismatch", "not assertionMethod"))
            continue
        method = _method(proof.get("verificationMethod"), issuer, web)
        if isinstance(method, CheckResult):
            checks.append(method)
            continue
        try:
            outcome = verify_signature(document, proof, method.public_key)
        except LaurelError as exc:
            checks.append(CheckResult.failed("proof.malformed", str(exc)))
            continue
        if outcome.valid:
            checks.append(CheckResult.passed("proof.signature", outcome.message))
        else:
            checks.append(CheckResult.failed(f"proof.{outcome.reason}", outcome.message))
    return checks


def _stamp(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def check_validity(document: JSONObject) -> list[CheckResult]:
    """VC 2.0 validFrom/validUntil, or VC 1.1 issuanceDate/expirationDate, against NOW."""
    v1 = jsonld.CREDENTIALS_V1 in (document.get("@context") or [])
    start_name, end_name = ("issuanceDate", "expirationDate") if v1 else ("validFrom", "validUntil")
    start, end = _stamp(document.get(start_name)), _stamp(document.get(end_name))
    if start is not None and start > NOW:
        return [CheckResult.failed("validity.not_yet_valid", f"{start_name} is in the future")]
    if end is not None and end <= NOW:
        return [CheckResult.failed("validity.expired", f"{end_name} has passed")]
    return [CheckResult.passed("validity", "within its validity period")]


def check_status(document: JSONObject, web: OfflineWeb) -> list[CheckResult]:
    """Each Bitstring status entry: the list fetched, its proof verified, the bit read."""
    value = document.get("credentialStatus")
    entries = value if isinstance(value, list) else [value] if value is not None else []
    checks: list[CheckResult] = []
    for entry in entries:
        types = entry.get("type") if isinstance(entry, dict) else None
        names = {types} if isinstance(types, str) else set(types or [])
        if not names & {"BitstringStatusListEntry", "StatusList2021Entry"}:
            checks.append(
                CheckResult.failed("status.unsupported", f"status type {str(types)[:40]} not read")
            )
            continue
        try:
            if "StatusList2021Entry" in names:
                parsed = parse_status_list_2021_entry(entry)
            else:
                parsed = parse_status_entry(entry)
            body = web(parsed.list_url)
        except StatusListError as exc:
            checks.append(CheckResult.failed("status.malformed", exc.message))
            continue
        except LaurelError as exc:
            checks.append(CheckResult.failed("status.retrieval_failed", exc.message))
            continue
        checks.extend(_read_list(body, parsed.list_url, parsed.index, parsed.purpose, web))
    return checks


def _read_list(
    body: bytes, url: str, index: int, purpose: str, web: OfflineWeb
) -> list[CheckResult]:
    try:
        listing = parse_document(body)
    except MalformedDocumentError:
        text = body.decode("ascii", "replace").strip()
        result = verify_jwt(text, resolver=DidResolver(web_fetcher=web), now=NOW)
        if not result.verified or result.credential is None:
            return [
                CheckResult.failed("status.list_invalid", "the JWT status list does not verify")
            ]
        listing = result.credential
    else:
        failed = [c for c in check_proofs(listing, web) if c.status is Status.FAILED]
        if failed:
            return [CheckResult.failed("status.list_invalid", f"the list's proof: {failed[0].id}")]
    checks: list[CheckResult] = []
    if listing.get("id") != url:
        # Issue #13: a hygiene rule; the bit is still read (the pipeline's decision to make).
        checks.append(CheckResult.warning("status.list_id_mismatch", "list id != its URL"))
    end, start = _stamp(listing.get("validUntil")), _stamp(listing.get("validFrom"))
    if end is not None and end <= NOW:
        return [*checks, CheckResult.failed("status.list_expired", "the status list has expired")]
    if start is not None and start > NOW:
        return [
            *checks,
            CheckResult.failed("status.list_not_yet_valid", "the list is not valid yet"),
        ]
    try:
        if "StatusList2021Credential" in (listing.get("type") or []):
            status = read_status_list_2021_credential(listing)
        else:
            status = read_list_credential(listing)
    except StatusListError as exc:
        return [*checks, CheckResult.failed(f"status.{exc.reason}", exc.message)]
    if purpose not in status.purposes:
        return [*checks, CheckResult.failed("status.purpose_mismatch", "purposes differ")]
    if status.bitstring.get(index):
        return [
            *checks,
            CheckResult.failed(
                f"status.{'revoked' if purpose == 'revocation' else 'suspended'}",
                f"{purpose} bit set",
            ),
        ]
    return [*checks, CheckResult.passed("status", f"not {purpose}")]


def verify_credential_json(document: JSONObject, web: OfflineWeb) -> list[CheckResult]:
    checks = check_proofs(document, web)
    checks += check_validity(document)
    checks += check_status(document, web)
    checks += check_schema(document)
    checks += check_credential_schema(document)
    return checks


def verify_jwt_credential(token: str, web: OfflineWeb) -> list[CheckResult]:
    result = verify_jwt(token, resolver=DidResolver(web_fetcher=web), now=NOW)
    checks = list(result.checks)
    if result.credential is not None:
        checks += check_validity(result.credential)
        checks += check_status(result.credential, web)
        checks += check_schema(result.credential)
        checks += check_credential_schema(result.credential)
    return checks


def _ob2_web(document: JSONObject | None, web: OfflineWeb) -> OfflineWeb:
    # 1EdTech's OB 2.0 tests take the given assertion as its own hosted copy.
    extra = dict(web.extra)
    if document is not None and isinstance(document.get("id"), str):
        extra[str(document["id"])] = json.dumps(document).encode()
    return OfflineWeb(extra)


def verify_text(text: str, web: OfflineWeb) -> Verdict:
    """Verify one payload given as text: JSON, a JWT/JWS, or an OB 2.0 hosted URL."""
    data = text.encode("utf-8")
    kind = detect(data).kind
    if kind in ("vc-1.1", "vc-2.0", "vc-unknown"):
        return Verdict(verify_credential_json(parse_document(data), web), kind)
    if kind == "vc-jwt":
        return Verdict(verify_jwt_credential(text, web), kind)
    if kind == "ob2-hosted":
        document = parse_document(data)
        result = verify_ob2(document, fetch=_ob2_web(document, web), now=NOW)
        return Verdict(list(result.checks), kind)
    if kind == "ob2-signed" and not text.lstrip().startswith("{"):
        result = verify_ob2(text, fetch=web, now=NOW)
        return Verdict(list(result.checks), kind)
    if kind == "url":
        try:
            document = parse_document(web(text.strip()))
        except LaurelError as exc:
            return Verdict([CheckResult.failed("format.unreachable", str(exc))], kind)
        result = verify_ob2(document, fetch=_ob2_web(None, web), now=NOW)
        return Verdict(list(result.checks), kind)
    return Verdict(
        [
            CheckResult.failed(
                "format.unsupported", f"laurel does not verify {detect(data).description}"
            )
        ],
        kind,
    )


def verify_file(path: Path) -> Verdict:
    """The library-level verdict on one corpus file."""
    data = path.read_bytes()
    web = OfflineWeb()
    kind = detect(data).kind
    if kind in ("baked-png", "baked-svg"):
        try:
            payloads = unbake_all(data)
        except BakingError as exc:
            return Verdict([CheckResult.failed(f"format.baked_{exc.code}", exc.message)], kind)
        if len({p.kind for p in payloads}) > 1 or len(payloads) > 1:
            return Verdict([CheckResult.failed("format.baked_ambiguous", "several payloads")], kind)
        inner = verify_text(payloads[0].text, web)
        return Verdict(inner.checks, f"{kind}/{inner.kind}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return Verdict([CheckResult.failed("format.unsupported", detect(data).description)], kind)
    if kind in ("empty", "json-invalid"):
        return Verdict(
            [CheckResult.failed(f"format.{kind.replace('-', '_')}", detect(data).description)], kind
        )
    return verify_text(text, web)


def decode_for_report(path: Path) -> str:
    """The detected description (for the report)."""
    return detect(path.read_bytes()).description


__all__ = [
    "CORPUS",
    "NOW",
    "OfflineWeb",
    "Verdict",
    "decode_for_report",
    "decode_jwt",
    "verify_file",
]

"""The verdict in words: from real verifications, and from each kind of failed check."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest

from tests.builders import ISSUER, MALLORY, badge, presentation, sign, unsigned_badge
from ui.i18n import Locale
from vc.did import DidResolver
from vc.results import GROUPS, CheckResult, Status, VerificationResult
from verifier.policy import VerificationPolicy
from verifier.trust import TrustRegistry
from verifier.verdict import (
    FAILURES,
    GROUP_FAILURES,
    Moment,
    Tone,
    check_title,
    status_label,
    verdict_json,
    verdict_of,
)
from verifier.verify import verify, verify_bytes

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
ES = Locale("es", "es")
SUMMARY = {"issuer": {"id": "did:web:lakeshore.example", "name": "Lakeshore USD"}}


def run(document: object, **policy: object) -> VerificationResult:
    return verify(
        document,  # type: ignore[arg-type]
        VerificationPolicy(now=NOW, **policy),  # type: ignore[arg-type]
        resolver=DidResolver(),
    )


def failed(*checks: CheckResult, signed: bool = True) -> VerificationResult:
    passed = (CheckResult.passed("proof.signature", "ok"),) if signed else ()
    return VerificationResult((*passed, *checks), summary=SUMMARY)


# --- real verifications --------------------------------------------------------------------


def test_a_valid_badge_is_verified_and_names_its_issuer() -> None:
    verdict = verdict_of(run(badge()))
    assert verdict.tone is Tone.VERIFIED
    assert verdict.verified
    assert verdict.title == "Verified"
    assert verdict.sentence == "Issued by Riverside School District on Jan 1, 2026."
    assert Moment("2026-01-01T00:00:00Z", "Jan 1, 2026") in verdict.parts
    assert (
        "“Riverside School District” is the name the issuer gives itself" in verdict.note_texts[1]
    )
    assert verdict.note_texts[0] == "The issuer publishes no revocation status for it."


def test_a_tampered_badge_reads_as_altered() -> None:
    doc = copy.deepcopy(badge())
    doc["credentialSubject"]["achievement"]["name"] = "District Leader"
    verdict = verdict_of(run(doc))
    assert (verdict.tone, verdict.title, verdict.reason) == (
        Tone.FAILED,
        "Not verified",
        "proof.signature_invalid",
    )
    assert verdict.sentence == "Altered after it was issued: the signature does not match."


def test_an_altered_badge_is_not_named_by_its_own_profile() -> None:
    doc = copy.deepcopy(badge(valid_until="2026-03-01T00:00:00Z"))
    doc["issuer"]["name"] = "A Name The Forger Chose"
    verdict = verdict_of(run(doc))
    assert "A Name The Forger Chose" not in verdict.sentence + " ".join(verdict.note_texts)
    assert verdict.note_texts == ("Expired on Mar 1, 2026.",), "the other failure, as a note"


def test_a_key_of_someone_else() -> None:
    verdict = verdict_of(run(sign(unsigned_badge(), MALLORY)))
    assert verdict.reason == "issuer.controller_mismatch"
    assert verdict.sentence == "Signed by someone other than the issuer it names."


def test_an_expired_badge_gives_its_date_in_the_readers_zone() -> None:
    result = run(badge(valid_until="2026-03-01T00:00:00Z"))
    assert verdict_of(result).sentence == "Expired on Mar 1, 2026."
    chicago = dt.timezone(dt.timedelta(hours=-6))
    assert verdict_of(result, tz=chicago).sentence == "Expired on Feb 28, 2026."
    assert verdict_of(result, locale=ES).sentence == "Caducó el 1 mar 2026."


def test_an_issuer_outside_the_registry_and_one_inside_it() -> None:
    stranger = TrustRegistry.from_text("did,name\ndid:web:other.example,Other\n", "csv")
    verdict = verdict_of(run(badge(), trusted_issuers=stranger), registry=stranger)
    assert verdict.sentence == "Issued by an organization you have not listed as trusted."
    known = TrustRegistry.from_text(f"did,name\n{ISSUER.did},Riverside USD (HR)\n", "csv")
    verdict = verdict_of(run(badge(), trusted_issuers=known), registry=known)
    assert verdict.sentence == "Issued by Riverside USD (HR) on Jan 1, 2026."
    assert "Riverside USD (HR) is in your list of trusted issuers." in verdict.note_texts


def test_a_presentation_of_a_tampered_badge() -> None:
    doc = copy.deepcopy(badge())
    doc["credentialSubject"]["achievement"]["name"] = "Else"
    verdict = verdict_of(run(presentation([badge(), doc], challenge=None, domain=None)))
    assert verdict.tone is Tone.FAILED
    assert verdict.sentence == (
        "1 of the badges presented is not verified: "
        "Altered after it was issued: the signature does not match."
    )
    assert [v.tone for v in verdict.credentials] == [Tone.VERIFIED, Tone.FAILED]


def test_a_presentation_for_another_challenge() -> None:
    vp = presentation([badge()], challenge="c-1", domain="hiring.example")
    verdict = verdict_of(run(vp, challenge="c-2", domain="hiring.example"))
    assert verdict.reason == "presentation.challenge_mismatch"
    assert verdict.sentence == "This answer was made for another request."


def test_a_presentation_verified_notes_what_was_not_asked() -> None:
    verdict = verdict_of(run(presentation([badge()], challenge=None, domain=None)))
    assert verdict.tone is Tone.VERIFIED
    assert verdict.sentence == "Presented by the person it was issued to: 1 badge verified."
    assert (
        "No challenge was asked for, so a copy of an old presentation would pass too."
        in verdict.note_texts
    )
    assert verdict_of(
        run(presentation([badge()], challenge=None, domain=None)), locale=ES
    ).sentence == ("Presentada por la persona a quien se emitió: 1 insignia verificada.")


def test_unreadable_input() -> None:
    policy = VerificationPolicy(now=NOW)
    verdict = verdict_of(verify_bytes(b'{"a": 1, "a": 2}', policy))
    assert (verdict.tone, verdict.reason) == (Tone.UNKNOWN, "format.duplicate_key")
    assert verdict.sentence == "This is not a readable credential."


# --- each failure, by id ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("check", "sentence"),
    [
        (
            CheckResult.failed("status.revoked", "revoked"),
            "Revoked by Lakeshore USD.",
        ),
        (
            CheckResult.failed("status.revoked", "revoked", listValidFrom="2026-12-03T10:00:00Z"),
            "Revoked by Lakeshore USD (as of Dec 3, 2026).",
        ),
        (
            CheckResult.failed("anchor.revoked", "revoked", revokedAt="2026-12-03T10:00:00Z"),
            "Revoked by Lakeshore USD on Dec 3, 2026.",
        ),
        (
            CheckResult.failed("status.suspended", "suspended"),
            "Suspended by Lakeshore USD; it may be reinstated.",
        ),
        (
            CheckResult.failed("validity.not_yet_valid", "x", validFrom="2027-01-01T00:00:00Z"),
            "Not valid until Jan 1, 2027.",
        ),
        (
            CheckResult.failed("presentation.challenge_reused", "x"),
            "This answer was already used once: this is a copy of it.",
        ),
        (
            CheckResult.failed(
                "anchor.after_compromise", "x", compromisedSince="2026-11-30T08:00:00Z"
            ),
            "Recorded after Lakeshore USD reported its signing key stolen on Nov 30, 2026.",
        ),
        # Ids other parts of laurel add: their own words, or their group's.
        (
            CheckResult.failed("format.not_compacted", "x"),
            "What it shows is not what was signed: it may have been altered.",
        ),
        (
            CheckResult.failed("status.too_many_entries", "x"),
            "Its revocation status cannot be trusted: the issuer's status list is not valid.",
        ),
        (CheckResult.failed("format.something_new", "x"), "Not a well-formed credential."),
        (
            CheckResult.failed("anchor.something_new", "x"),
            "Its blockchain record does not hold up.",
        ),
    ],
)
def test_each_failure_reads_as_a_person_would_say_it(check: CheckResult, sentence: str) -> None:
    verdict = verdict_of(failed(check))
    assert (verdict.tone, verdict.reason, verdict.sentence) == (Tone.FAILED, check.id, sentence)


def test_a_status_that_could_not_be_reached_is_undecided_not_failed() -> None:
    result = failed(CheckResult.failed("status.retrieval_failed", "could not confirm"))
    verdict = verdict_of(result)
    assert (verdict.tone, verdict.title) == (Tone.UNKNOWN, "Could not be verified")
    warned = failed(CheckResult.warning("status.retrieval_failed", "could not confirm"))
    verdict = verdict_of(warned)
    assert (verdict.tone, verdict.title) == (Tone.CAUTION, "Verified, with a caveat")
    assert verdict.sentence.startswith("Its signature holds, but whether it was revoked")


def test_the_worst_failure_makes_the_sentence_whatever_the_order() -> None:
    checks = [
        CheckResult.failed("validity.expired", "x", validUntil="2026-01-01T00:00:00Z"),
        CheckResult.failed("status.revoked", "x"),
        CheckResult.failed("proof.signature_invalid", "x"),
    ]
    for ordered in (checks, checks[::-1]):
        verdict = verdict_of(VerificationResult(tuple(ordered), summary=SUMMARY))
        assert verdict.reason == "proof.signature_invalid"


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_every_group_has_words_for_a_check_nobody_named(group: str) -> None:
    check = CheckResult.failed(f"{group}.never_seen_before", "x")
    verdict = verdict_of(failed(check))
    assert verdict.tone is Tone.FAILED
    assert verdict.sentence == GROUP_FAILURES[group].sentence.format(issuer="Lakeshore USD")
    assert check_title(check.id) not in ("", check.id), "a plain title from its group"


def test_every_failure_and_title_is_in_spanish() -> None:
    for check_id, words in FAILURES.items():
        english = verdict_of(failed(CheckResult.failed(check_id, "x"))).sentence
        spanish = verdict_of(failed(CheckResult.failed(check_id, "x")), locale=ES).sentence
        assert spanish != english, check_id
        assert words.rank > 0
    assert check_title("proof.signature", ES) == "La firma coincide"
    assert status_label(Status.WARNING, ES) == "Aviso"


def test_names_come_from_the_registry_then_the_profile_then_the_host() -> None:
    check = CheckResult.failed("status.revoked", "x")
    registry = TrustRegistry.from_text("did,name\ndid:web:lakeshore.example,LUSD\n", "csv")
    assert verdict_of(failed(check), registry=registry).sentence == "Revoked by LUSD."
    assert verdict_of(failed(check)).sentence == "Revoked by Lakeshore USD."
    unsigned = VerificationResult((check,), summary=SUMMARY)
    assert verdict_of(unsigned).sentence == "Revoked by lakeshore.example."


def test_the_json_the_api_returns() -> None:
    body = verdict_json(run(presentation([badge()], challenge=None, domain=None)))
    assert json.loads(json.dumps(body)) == body
    assert set(body) == {"tone", "title", "sentence", "reason", "notes", "lang", "credentials"}
    assert body["tone"] == "verified"
    assert body["lang"] == "en"
    assert (
        body["credentials"][0]["sentence"] == "Issued by Riverside School District on Jan 1, 2026."
    )
    assert verdict_json(run(badge()), locale=ES)["title"] == "Verificada"

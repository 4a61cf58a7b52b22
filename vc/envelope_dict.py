"""The zlib preset dictionaries of the QR envelope versions (:mod:`vc.envelope`).

A preset dictionary is the text the compressor has "already seen" before the payload:
whatever the payload repeats of it costs a few bits instead of its length. Each envelope
version pins its dictionary; changing a byte here changes the format, which needs a new
version (the tests pin every dictionary by its SHA-256).

- ``LV1`` and ``LR1``: :data:`ZDICT_V1`, common substrings of Open Badges documents.
- ``LV2``: :func:`zdict_v2`, built from what laurel writes: the term-rewritten CBOR of a
  badge and of a presentation as the wallet lays them out, with placeholder values (so
  the *structure* of a real badge is mostly back-references; one of them anchored, with
  a ledger anchor proof), preceded by words and URL pieces common in educators'
  credentials. No document of the test suite or the
  benchmarks is in it.
"""

from __future__ import annotations

import base64
import functools
import re
from typing import Final

import cbor2

from vc.envelope_terms import to_cbor
from vc.types import JSONObject

__all__ = ["ZDICT_V1", "zdict_v2"]

# Substrings that survive the term rewrite. zlib finds the nearest match cheapest, so the
# most frequent pieces come last.
ZDICT_V1: Final = (
    b"RubricCriterionLevelrubricCriterionLevelEndorsementSubjectendorsementComment"
    b"targetFrameworktargetDescriptiontargetCodetargetTypetargetNametargetUrl"
    b"https://purl.imsglobal.org/spec/ob/v3p0/https://example.edu/credentials/"
    b"https://example.org/did:web:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA"
    b"data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmci"
    b"Issued by Certificate of completion for the course in School District University"
    b"Designs and uses assessment to the and of Three lesson plans scored proficient on "
    b"the rubric.T00:00:00Z2025-2026-urn:uuid:did:key:z6Mkdid:key:z6Mk#z6Mk"
)

# Common English words, the most frequent last (nearest the payload, so cheapest to refer
# to), then words of teachers' professional learning.
_WORDS: Final = (
    "level policy art seem full force court true community love turn close west society "
    "areas job individual board south change reason position boy economic street result "
    "known available study federal became ago problems heard major special whose brought "
    "office making question air political miss cannot behind real seems free probably sure "
    "keep held period money shall college tell information themselves already words car am "
    "field really half word body experience death seen having anyone quite past taken across "
    "feet act either today gave history five whether show local hands company action example "
    "name above line law human times york itself perhaps matter whole means sense help thus "
    "door different began problem kind certain service god open although turned done area "
    "country mind others members want interest family seemed thing light development power "
    "least ever church best saw along children felt within four need big large become john "
    "case white early looking things often important form among per face second rather "
    "possible national order several present given social side president room let days young "
    "toward group give business city program next point knew later asked look going find "
    "eyes called why end night nothing told set better system government yet head took far "
    "enough hand almost think put public less water though fact something away always until "
    "war course number left united got does every school upon high general once part say "
    "went thought found small home however around place again without during use house few "
    "himself states three take used right came go against since come off year old great us "
    "might last while know another same day never under being life both between here get "
    "long work men see own still world make very good state little too how people those just "
    "each because should down well way your much where years back through must before many "
    "made also most after such over our like new any first may two these time only its then "
    "than into other could some them out up what about more can will no so if when would has "
    "their we all one been there she her were you they an have but which at from his or are "
    "this he not on by be with was as it for that is a in to and of the "
)
_EDUCATION_WORDS: Final = (
    "teachers teaching learners learning lessons instructional strategies assessments "
    "evaluated demonstrate demonstrated demonstrates demonstrating completed completion "
    "successfully participants participated professional credential credentials "
    "micro-credentials badge badges earned earner awarded recognizes recognition "
    "competencies competency skills skill knowledge understanding apply applied "
    "implementation implemented implement designed design designs developed develops create "
    "created creating using uses improve improved improving support supports supporting "
    "provide provides providing plan plans planning lesson unit units grade grades classroom "
    "classrooms student students schools district districts educator educators instruction "
    "practice practices evidence-based research-based data literacy mathematics science "
    "reading writing language arts english studies technology digital online virtual hybrid "
    "feedback reflection reflective portfolio artifacts samples observation observed video "
    "coaching mentor mentoring collaboration collaborative engagement families equity "
    "equitable inclusive inclusion diverse diversity culturally responsive sustaining "
    "trauma-informed behavior management environment safe supportive rubric criteria "
    "criterion levels score scored scoring proficient proficiency mastery advanced basic "
    "novice developing emerging distinguished exemplary accomplished approaching meets "
    "exceeds standard standards aligned alignment framework frameworks hours credit credits "
    "courses module modules workshop workshops programs training trained certified "
    "certification "
)

# Words and phrases of professional-learning credentials, and the pieces of their URLs.
_VOCABULARY: Final = (
    "RubricCriterionLevel targetFramework targetDescription targetCode targetName targetUrl "
    "endorsementComment EndorsementSubject did:web: image/png;base64, data:image/svg+xml; "
    "https://www. .edu/ .org/ .com/ .gov/ .k12. /credentials/ /badges/ /achievements/ "
    "/evidence/ /portfolio/ /issuers/ /status/revocation/ /status/suspension/ /.well-known/ "
    "Micro-credential Certificate of completion Professional learning Teacher Educator "
    "Instructional Coach Principal School District Department of Education County Office "
    "Academy Institute College University Center for Teaching and Learning Elementary "
    "Middle High School Secondary Early Childhood Special Education English Learners "
    "Mathematics Science Literacy Reading Writing Social Studies Computer Science STEM Arts "
    "Social-Emotional Learning Culturally Responsive Teaching Classroom Management Inclusive "
    "Differentiated Instruction Universal Design for Learning Project-Based Learning "
    "Formative and Summative Assessment Data-Informed Digital Literacy Educational "
    "Technology Family Engagement Student Voice Collaborative Leadership Mentoring Coaching "
    "Demonstrates the ability to design implement analyze evaluate reflect plan support "
    "create apply lead facilitate instruction practice students classroom portfolio "
    "artifacts evidence submitted reviewed assessed observation video reflection essay "
    "rubric level developing proficient distinguished emerging accomplished exemplary "
    "beginning meets exceeds criteria competency standards aligned hours completed course "
    "workshop module "
    "cohort program the a an of and or for in on with to from by at as is are was "
)

# An Ed25519 did:key (multicodec 0xed01) of 32 zero bytes: the zeros are removed below
_PLACEHOLDER_DID: Final = "did:key:z6MkeTG3bFFSLYVU7VqhgZxqr6YzpaGrQtFMh1uvqGy1vDnP"
_TIME: Final = "2026-09-01T00:00:00Z"
_UUID: Final = "urn:uuid:00000000-0000-0000-0000-000000000000"
_SIGNATURE: Final = "z" + "1" * 64
_HOST: Final = "https://badges.district.org"


def _status(purpose: str) -> JSONObject:
    list_url = f"{_HOST}/status/{purpose}/1"
    return {
        "id": f"{list_url}#1000",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": "1000",
        "statusListCredential": list_url,
    }


def _achievement(*, wallet_order: bool) -> JSONObject:
    """An Achievement with a rubric; the wallet appends `id` and `type` when a file lacks them."""
    level: JSONObject = {"id": _UUID, "type": ["RubricCriterionLevel"], "name": "proficient"}
    rubric: JSONObject = {
        "id": _UUID,
        "type": ["ResultDescription"],
        "name": "rubric",
        "resultType": "RubricCriterionLevel",
        "rubricCriterionLevel": [level, level, level],
    }
    body: JSONObject = {"name": "", "description": "", "criteria": {"narrative": ""}}
    if wallet_order:
        return {**body, "resultDescription": [rubric], "id": _UUID, "type": ["Achievement"]}
    image: JSONObject = {"id": f"{_HOST}/badges/1.png", "type": "Image"}
    return {"id": _UUID, "type": ["Achievement"], **body, "image": image}


def _badge(achievement: JSONObject) -> JSONObject:
    """An OpenBadgeCredential in the order laurel's wallet writes one."""
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": _UUID,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": _PLACEHOLDER_DID, "type": ["Profile"], "name": "School District"},
        "validFrom": _TIME,
        "name": "",
        "credentialSubject": {
            "id": _PLACEHOLDER_DID,
            "type": ["AchievementSubject"],
            "achievement": achievement,
            "result": [{"type": ["Result"], "resultDescription": _UUID, "achievedLevel": _UUID}],
        },
        "evidence": [{"id": f"{_HOST}/evidence/1", "type": ["Evidence"], "name": ""}],
        "credentialStatus": [_status("revocation"), _status("suspension")],
        "proof": _proof("assertionMethod"),
    }


def _proof(purpose: str, **extra: str) -> JSONObject:
    return {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": _TIME,
        "verificationMethod": f"{_PLACEHOLDER_DID}#{_PLACEHOLDER_DID[8:]}",
        "proofPurpose": purpose,
        **extra,
        "proofValue": _SIGNATURE,
    }


def _anchor_proof() -> JSONObject:
    """A ledger anchor proof as :mod:`anchor.proof` writes one (its CBOR keys, zero values).

    Only a sample for the compressor: if that format changes, anchored badges compress
    a little worse, nothing breaks.
    """
    hash_ = bytes(32)
    body = {
        "v": 1, "leaf": hash_, "index": 0, "size": 1, "path": [], "root": hash_,
        "chainId": 1, "contract": bytes(20), "tx": hash_, "block": 1, "blockHash": hash_,
        "time": 1_800_000_000, "account": bytes(20), "binding": bytes(64),
    }  # fmt: skip
    value = base64.urlsafe_b64encode(cbor2.dumps(body, canonical=True)).rstrip(b"=")
    return {
        "type": "DataIntegrityProof",
        "cryptosuite": "laurel-anchor-2026",
        "created": _TIME,
        "verificationMethod": f"{_PLACEHOLDER_DID}#{_PLACEHOLDER_DID[8:]}",
        "proofPurpose": "assertionMethod",
        "proofValue": "u" + value.decode("ascii"),
    }


def _presentation() -> JSONObject:
    """A one-badge VerifiablePresentation in the order laurel's holder writes one."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": _PLACEHOLDER_DID,
        "verifiableCredential": [_badge(_achievement(wallet_order=True))],
        "proof": _proof("authentication", challenge="", domain=""),
    }


@functools.cache
def zdict_v2() -> bytes:
    """The ``LV2`` preset dictionary (built once; its SHA-256 is pinned by the tests)."""
    pieces = [(_WORDS + _EDUCATION_WORDS + _VOCABULARY).encode("utf-8")]
    anchored = _badge(_achievement(wallet_order=False))
    anchored["proof"] = [_proof("assertionMethod"), _anchor_proof()]
    for document in (anchored, _presentation()):
        pieces.append(cbor2.dumps(to_cbor(document, typed=True)))
    # The placeholders' bytes (runs of zeros) would never match a real key or signature.
    return re.sub(rb"\x00{8,}", b"", b"".join(pieces))

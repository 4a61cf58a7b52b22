"""M10: VerifiableCredential dropped from type, no issuer, an empty subject, @context[0] not v2."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.attacks.conftest import failed, verify_document
from tests.builders import badge


def _no_vc_type(d: dict) -> None:
    d["type"] = ["OpenBadgeCredential"]


def _no_issuer(d: dict) -> None:
    del d["issuer"]


def _empty_subject(d: dict) -> None:
    d["credentialSubject"] = {}


def _v1_context_first(d: dict) -> None:
    d["@context"][0] = "https://www.w3.org/2018/credentials/v1"


CASES: list[tuple[Callable[[dict], None], str, str]] = [
    (_no_vc_type, "format.type", "schema.type"),
    (_no_issuer, "format.issuer", "schema.issuer"),
    (_empty_subject, "format.credential_subject", "schema.credential_subject"),
    # A VC 1.1 context first: checked with the 1.1 rules (issuanceDate is required), and
    # the OB 3.0 schema of the 1.1 era refuses it as a whole.
    (_v1_context_first, "format.validity_dates", "schema"),
]


@pytest.mark.parametrize(
    ("edit", "format_id", "schema_id"), CASES, ids=[c[0].__name__ for c in CASES]
)
def test_m10_named_by_the_data_model_and_the_schema(
    edit: Callable[[dict], None], format_id: str, schema_id: str
) -> None:
    document = badge()
    edit(document)
    ids = failed(verify_document(document))
    assert format_id in ids
    assert schema_id in ids
    assert "proof.signature_invalid" in ids

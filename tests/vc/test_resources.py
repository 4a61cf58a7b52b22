"""Integrity of related resources (vc.resources): digests read, and checked against what laurel holds."""

from __future__ import annotations

import base64

import pytest

from vc.resources import PUBLISHED_DIGESTS, check_related_resources, digest_problem

V2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"


def test_the_recommendations_own_digests_are_accepted():
    # VC Data Model 2.0 (REC), "Integrity of Related Resources", the examples of
    # digestSRI (sha384) and digestMultibase (a multihash of sha2-256).
    assert (
        digest_problem(V2, "digestMultibase", "uEiBZlVztZpfWHgPyslVv6-UwirFoQoRvW1htfx963sknNA")
        is None
    )
    assert (
        digest_problem(
            EXAMPLES, "digestMultibase", "uEiBXOT-8adbvubm13Jy2uYgLCUQ2Cr_i6vRZyeWM8iedfA"
        )
        is None
    )
    sri = "sha384-" + base64.b64encode(bytes.fromhex(PUBLISHED_DIGESTS[V2]["sha384"])).decode()
    assert sri == "sha384-l/HrjlBCNWyAX91hr6LFV2Y3heB5Tcr6IeE4/Tje8YyzYBM8IhqjHWiWpr8+ZbYU"
    assert digest_problem(V2, "digestSRI", sri) is None
    assert digest_problem(V2, "digestSRI", [sri, sri]) is None


def test_the_base_context_digest_is_the_one_the_recommendation_states():
    # VC Data Model 2.0, "Base Context": the SHA2-256 digest of the base context file.
    assert PUBLISHED_DIGESTS[V2]["sha256"] == (
        "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734"
    )


@pytest.mark.parametrize(
    ("key", "value", "why"),
    [
        # The digest of the July 2024 draft of the base context, not the published one.
        (
            "digestSRI",
            "sha384-NSOcNpmdIVUxIJGvGUoe22FjTWrXiaXlsZ8q6912LdnR3KraQO2n75Ica4wK4Qeg",
            "does not match",
        ),
        # A bare SHA-256 without its multihash header (Data Integrity: "a Multibase-encoded Multihash").
        ("digestMultibase", "uJKGMkOmFbVJhEfKTduMC2XCyvRAYLjOVmZWwIH1wQ7k", "multihash"),
        ("digestMultibase", "uEiB" + "A" * 43, "does not match"),
        # base64url is not SRI's alphabet.
        (
            "digestSRI",
            "sha384-_rCVIV7fSXXTNIvpiq26jRDyj8JG8TDjij-tD0ewLk4JpnXEz6a5AeeY_1qQ0d0P",
            "Subresource Integrity",
        ),
        ("digestSRI", "md5-AAAAAAAAAAAAAAAAAAAAAA==", "Subresource Integrity"),
        ("digestSRI", "sha256-AAAA", "bytes"),
        ("digestSRI", 42, "string"),
        ("digestMultibase", "!notmultibase", "multibase"),
        ("digestMultibase", [], "string"),
    ],
)
def test_wrong_or_malformed_digests_are_named(key, value, why):
    problem = digest_problem(V2, key, value)
    assert problem is not None
    assert why in problem


def test_a_resource_laurel_does_not_hold_is_checked_for_form_only():
    digest = "sha384-" + base64.b64encode(b"\0" * 48).decode()
    assert digest_problem("https://portfolio.example/ana.pdf", "digestSRI", digest) is None
    assert digest_problem("https://portfolio.example/ana.pdf", "digestSRI", "sha384-x") is not None


def test_each_failure_names_its_path():
    document = {
        "relatedResource": [
            {"id": V2, "digestSRI": "sha384-x"},
            {"id": EXAMPLES, "digestMultibase": "uJKGMkOmFbVJhEfKTduMC2XCyvRAYLjOVmZWwIH1wQ7k"},
        ]
    }
    found = check_related_resources(document)
    assert [c.details["path"] for c in found] == [
        "relatedResource[0].digestSRI",
        "relatedResource[1].digestMultibase",
    ]
    assert {c.id for c in found} == {"format.related_resource_digest"}

"""Hypothesis strategies for untrusted input: documents, proofs, envelopes, DIDs, status
lists, JWTs and baked images. Each draws both well-formed values and near misses (the
shapes attackers send), so a property over them exercises refusals as well as passes.
"""

from __future__ import annotations

import base64
import copy
import io
import json
from typing import Any

from hypothesis import strategies as st

from tests.builders import ISSUER, badge

# --- JSON -------------------------------------------------------------------------------------

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=25,
)

#: Terms a credential uses, so random edits land on members the checks read.
TERMS = [
    "@context",
    "id",
    "type",
    "issuer",
    "validFrom",
    "validUntil",
    "credentialSubject",
    "credentialStatus",
    "proof",
    "name",
    "achievement",
    "cryptosuite",
    "proofValue",
    "verificationMethod",
    "proofPurpose",
    "created",
    "challenge",
    "domain",
    "@type",
    "@id",
    "@graph",
    "@value",
]
keys = st.one_of(st.sampled_from(TERMS), st.text(max_size=10))


def _paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(document, dict):
        for key, value in document.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found.extend(_paths(value, (*prefix, index)))
    return found


@st.composite
def edited_documents(draw: st.DrawFn, base: Any = None) -> dict[str, Any]:
    """A signed badge with one to three edits: a member replaced, removed or added."""
    document = copy.deepcopy(base if base is not None else badge())
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(document) if p]
        path = draw(st.sampled_from(paths))
        parent: Any = document
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "remove", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(json_values)
        elif action == "remove":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(keys)] = draw(json_values)
        else:
            parent.append(draw(json_values))
    return document


# --- proofs -----------------------------------------------------------------------------------

proof_values = st.one_of(
    st.just("z" + "1" * 87),
    st.text(
        alphabet="123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz", max_size=100
    ).map(lambda t: "z" + t),
    st.text(max_size=100),
    json_values,
)


@st.composite
def proofs(draw: st.DrawFn) -> dict[str, Any]:
    """A Data Integrity proof object, each member well-formed or hostile."""
    proof: dict[str, Any] = {
        "type": draw(
            st.sampled_from(["DataIntegrityProof", "Ed25519Signature2020", "JsonWebSignature2020"])
        ),
        "cryptosuite": draw(
            st.sampled_from(
                ["eddsa-rdfc-2022", "eddsa-jcs-2022", "laurel-anchor-2026", "ecdsa-rdfc-2019", ""]
            )
        ),
        "verificationMethod": draw(
            st.one_of(st.just(ISSUER.vm), dids.map(lambda d: d + "#k"), st.text(max_size=30))
        ),
        "proofPurpose": draw(
            st.sampled_from(["assertionMethod", "authentication", "capabilityInvocation"])
        ),
        "created": draw(
            st.one_of(st.just("2026-01-01T00:00:00Z"), st.text(max_size=25), json_values)
        ),
        "proofValue": draw(proof_values),
    }
    for name in draw(st.lists(st.sampled_from(sorted(proof)), max_size=2)):
        proof.pop(name, None)
    return proof


# --- DIDs -------------------------------------------------------------------------------------

_base58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
dids = st.one_of(
    st.just(ISSUER.did),
    st.text(alphabet=_base58, min_size=1, max_size=60).map(lambda t: "did:key:z" + t),
    st.from_regex(
        r"did:web:[a-z0-9.-]{1,20}(%3A[0-9]{1,5})?(:[a-z0-9%._-]{0,10}){0,3}", fullmatch=True
    ),
    st.from_regex(r"did:[a-zA-Z0-9]{0,6}:[^\s]{0,30}", fullmatch=True),
    st.text(max_size=40),
)


# --- status lists -----------------------------------------------------------------------------


@st.composite
def status_entries(draw: st.DrawFn) -> dict[str, Any]:
    """A credentialStatus entry: types, purposes, indexes and URLs, good and hostile."""
    url = draw(
        st.sampled_from(
            [
                "https://issuer.example/status/1",
                "http://issuer.example/status/1",
                "file:///etc/passwd",
                "https://10.0.0.1/s",
                "",
            ]
        )
    )
    entry: dict[str, Any] = {
        "id": draw(st.one_of(st.just(url + "#7"), st.just(url), st.text(max_size=20))),
        "type": draw(
            st.sampled_from(["BitstringStatusListEntry", "StatusList2021Entry", "Other", ""])
        ),
        "statusPurpose": draw(st.sampled_from(["revocation", "suspension", "message", ""])),
        "statusListIndex": draw(
            st.one_of(
                st.integers(0, 200_000).map(str),
                st.sampled_from(["-1", "01", "1e3", " 5", "9" * 5000, ""]),
                st.integers(0, 10),
            )
        ),
        "statusListCredential": url,
    }
    if draw(st.booleans()):
        entry["statusSize"] = draw(st.one_of(st.integers(-1, 9), st.text(max_size=3)))
    for name in draw(st.lists(st.sampled_from(sorted(entry)), max_size=1)):
        entry.pop(name, None)
    return entry


encoded_lists = st.one_of(
    st.binary(max_size=64).map(
        lambda raw: "u" + base64.urlsafe_b64encode(raw).decode().rstrip("=")
    ),
    st.text(max_size=64),
    st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=u", max_size=80
    ),
)


# --- JWTs -------------------------------------------------------------------------------------


def _b64(value: bytes) -> str:
    return base64.urlsafe_b64encode(value).decode().rstrip("=")


@st.composite
def jwts(draw: st.DrawFn) -> str:
    """A compact JWS as a VC-JWT would come: alg none/HS256/EdDSA, odd headers, any claims."""
    header: dict[str, Any] = {
        "alg": draw(st.sampled_from(["none", "HS256", "EdDSA", "ES256", "", "RS256"])),
        "typ": draw(st.sampled_from(["vc+jwt", "JWT", "vc+ld+json+jwt", "x"])),
    }
    for name, value in draw(
        st.lists(
            st.sampled_from(
                [
                    ("kid", ISSUER.vm),
                    ("jku", "https://10.0.0.1/keys"),
                    ("x5u", "http://169.254.169.254/"),
                    ("zip", "DEF"),
                    ("crit", ["exp"]),
                    ("jwk", {"kty": "OKP", "crv": "Ed25519", "x": _b64(b"\x00" * 32)}),
                ]
            ),
            max_size=3,
        )
    ):
        header[name] = value
    claims = draw(
        st.one_of(
            st.just({"iss": ISSUER.did, "vc": badge(suite="eddsa-jcs-2022")}),
            st.dictionaries(
                st.sampled_from(["iss", "sub", "nbf", "exp", "jti", "vc"]), json_values
            ),
        )
    )
    signature = draw(st.one_of(st.just(b""), st.binary(min_size=64, max_size=64)))
    return ".".join(
        [
            _b64(json.dumps(header).encode()),
            _b64(json.dumps(claims).encode()),
            _b64(signature),
        ]
    )


# --- baked images -----------------------------------------------------------------------------


def _png(width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "PNG")
    return out.getvalue()


@st.composite
def baked_images(draw: st.DrawFn) -> tuple[bytes, str]:
    """A PNG or SVG with a credential text baked in, and that text."""
    from vc.baking import bake_png, bake_svg

    text = draw(
        st.one_of(
            st.just(json.dumps(badge(suite="eddsa-jcs-2022"))),
            # XML keeps no CR (it reads CR LF as LF) and unbaking strips the text.
            st.text(min_size=1, max_size=200).filter(lambda t: t.strip() == t and "\r" not in t),
        )
    )
    xml_text = all(c in "\t\n" or 0x20 <= ord(c) <= 0xD7FF or ord(c) >= 0xE000 for c in text)
    if draw(st.booleans()) or not xml_text or "\ufffe" in text or "\uffff" in text:
        return bake_png(_png(draw(st.integers(1, 8)), draw(st.integers(1, 8))), text), text
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect/></svg>'
    return bake_svg(svg, text), text


@st.composite
def damaged(draw: st.DrawFn, data: bytes) -> bytes:
    """`data` with a few bytes flipped, cut or inserted."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["flip", "cut", "insert"]))
        at = draw(st.integers(0, max(0, len(out) - 1)))
        if action == "flip" and out:
            out[at] ^= 1 << draw(st.integers(0, 7))
        elif action == "cut":
            del out[at : at + draw(st.integers(1, 16))]
        else:
            out[at:at] = draw(st.binary(min_size=1, max_size=8))
    return bytes(out)


def attempt(fn: Any, errors: Any) -> tuple[Any, Any]:
    """``(fn(), None)``, or ``(None, the error)`` when `fn` raises one of `errors`."""
    try:
        return fn(), None
    except errors as exc:
        return None, exc

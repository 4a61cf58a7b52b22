"""Strict JSON text: duplicate keys, depth, size, NaN, lone surrogates (vc/jsontext.py)."""

from __future__ import annotations

import json

from vc.errors import MalformedDocumentError
from vc.jsontext import parse_document

EXPECTED = (MalformedDocumentError,)


def fuzz(data: bytes) -> None:
    """Parse `data`; a parsed document must survive a JSON round trip."""
    document = parse_document(data)
    assert json.loads(json.dumps(document, ensure_ascii=False)) == document


def seeds() -> list[bytes]:
    """A credential-like object, a few edge cases."""
    return [
        b'{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],'
        b'"issuer":"did:key:z6Mk","credentialSubject":{"id":"did:key:z6Mk","n":[1,2.5,-3e2,true,null]}}',
        b'{"a":{"b":{"c":[[[[{}]]]]}},"s":"\\u00e9\\ud83d\\ude00"}',
        b'{"a":1,"a":2}',
    ]

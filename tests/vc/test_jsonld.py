from __future__ import annotations

import hashlib
import json

import pytest

from tests.conftest import VECTORS, load_vector
from vc import jsonld
from vc.errors import MalformedDocumentError, UnknownContextError

V2 = jsonld.CREDENTIALS_V2


def test_bundled_contexts_are_the_vectors_byte_for_byte():
    index = load_vector("contexts/INDEX.json")
    assert set(index) <= set(jsonld.PINNED_CONTEXTS)
    for url, filename in index.items():
        data = (VECTORS / "contexts" / filename).read_bytes()
        assert hashlib.sha256(data).hexdigest() == jsonld.PINNED_CONTEXTS[url], url
        assert jsonld.load_context(url)


def test_contexts_added_for_real_badges_are_pinned_and_sourced():
    # Issue #13: contexts beyond tests/vectors/contexts, each with its source in vc/contexts/SOURCES.md.
    from pathlib import Path

    import vc

    shared = set(load_vector("contexts/INDEX.json"))
    sources = (Path(vc.__file__).parent / "contexts" / "SOURCES.md").read_text(encoding="utf-8")
    added = set(jsonld.PINNED_CONTEXTS) - shared
    assert added == {
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
        "https://w3id.org/security/suites/ed25519-2018/v1",
        "https://w3id.org/security/suites/jws-2020/v1",
        "https://w3id.org/openbadges/v2",
        "https://openbadgespec.org/v2/context.json",
    }
    for url in added:
        assert f"`{url}`" in sources, url
        assert jsonld.load_context(url)["@context"]


def test_unknown_context_is_refused_without_fetching(monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("a context fetch was attempted")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    with pytest.raises(UnknownContextError):
        jsonld.undefined_terms(
            {"@context": [V2, "https://attacker.test/ctx.jsonld"], "type": ["VerifiableCredential"]}
        )
    with pytest.raises(UnknownContextError):
        jsonld.document_loader("https://schema.org/")


def test_undefined_terms_are_reported():
    document = {
        "@context": [V2],
        "type": ["VerifiableCredential", "MadeUpCredential"],
        "credentialSubject": {"id": "did:example:a", "grade": "A+"},
    }
    assert set(jsonld.undefined_terms(document)) == {"grade", "MadeUpCredential"}


def test_relative_ids_are_reported():
    document = {
        "@context": [V2],
        "type": ["VerifiableCredential"],
        "credentialSubject": {"id": "not-a-url"},
    }
    assert jsonld.undefined_terms(document) == ["not-a-url"]


def test_examples_context_defines_everything():
    document = {
        "@context": [V2, "https://www.w3.org/ns/credentials/examples/v2"],
        "anything": 1,
        "type": ["Whatever"],
    }
    assert jsonld.undefined_terms(document) == []


def test_a_well_formed_open_badge_has_no_undefined_terms():
    badge = load_vector("openbadges3/ldp-test-vector-obv3p0/vector.json")["signedCredential"]
    assert jsonld.undefined_terms(badge) == []


def test_protected_term_redefinition_is_an_error():
    document = {
        "@context": [V2, {"type": "https://attacker.test/type"}],
        "type": ["VerifiableCredential"],
    }
    with pytest.raises(MalformedDocumentError):
        jsonld.undefined_terms(document)


@pytest.mark.parametrize("key", ["@vocab", "@language", "@direction"])
def test_pyld_reset_crash_is_bad_input(key):
    with pytest.raises(MalformedDocumentError):
        jsonld.undefined_terms({"@context": [V2, {key: None}], "type": ["VerifiableCredential"]})


def test_context_urls_walks_nested_contexts():
    document = {"@context": [V2], "credentialSubject": {"@context": {"x": "https://e.test/x"}}}
    assert list(jsonld.context_urls(document)) == [V2, {"x": "https://e.test/x"}]


def _plain_expand(document):
    from pyld import jsonld as pyld_jsonld

    options = {
        "documentLoader": jsonld.document_loader,
        "base": "",
        "expandContext": {"@base": None},
    }
    dropped = []
    expanded = pyld_jsonld.JsonLdProcessor(on_property_dropped=dropped.append).expand(
        document, options
    )
    return expanded, dropped


def test_remembered_contexts_expand_exactly_like_plain_pyld():
    # Differential test of processor_class(): every fixture, twice, in two orders.
    import copy

    from tests.builders import badge, presentation

    documents = [badge(), badge("eddsa-jcs-2022"), presentation([badge()])]
    for folder in (
        "openbadges3/examples",
        "vc-dm2-test-suite-inputs",
        "openbadges3/validator-test-resources",
    ):
        documents.extend(
            json.loads(p.read_text(encoding="utf-8"))
            for p in sorted((VECTORS / folder).glob("*.json"))
        )
    results = {}
    for document in [*documents, *reversed(documents)]:
        key = json.dumps(document, sort_keys=True)
        try:
            plain = _plain_expand(copy.deepcopy(document))
        except Exception as exc:  # pyld refuses it: so must ours
            with pytest.raises((MalformedDocumentError, UnknownContextError)):
                jsonld.expand(copy.deepcopy(document))
            results.setdefault(key, type(exc).__name__)
            continue
        dropped: list = []
        ours = jsonld.expand(copy.deepcopy(document), dropped.append)
        assert (ours, dropped) == plain

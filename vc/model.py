"""VC Data Model 2.0 structure checks: the verifier's ``format`` check.

    >>> from vc.model import check_format, document_kind
    >>> credential = {"@context": ["https://www.w3.org/ns/credentials/v2"],
    ...               "type": ["VerifiableCredential"], "issuer": "did:example:issuer",
    ...               "credentialSubject": {"id": "did:example:alice"}}
    >>> document_kind(credential)
    'credential'
    >>> [(c.id, c.status.value) for c in check_format(credential)]
    [('format', 'passed')]
    >>> [c.id for c in check_format({**credential, "issuer": "not a url"})]
    ['format.issuer']

:func:`check_format` reports every problem it finds as its own failed
``format.<reason>`` check and never raises for a bad document. It does no I/O:
contexts come from the bundled set (:mod:`vc.jsonld`), and the only JSON-LD work
is :func:`vc.compaction.inspect`, which finds the terms a signature would silently
not cover and tells whether the document is the compacted form of its contexts.

It follows the W3C VC 2.0 test-suite inputs where the specification leaves room:
those are issuer inputs, so a credential without ``issuer`` (or with an issuer
object without ``id``) passes unless ``require_issuer=True``; credentials embedded
in a presentation are issued, so they always need an identified issuer.
"""

from __future__ import annotations

from typing import Literal

from vc._format_context import (
    DocumentForm,
    check_context,
    check_context_references,
    check_terms,
    check_type,
    inspect_form,
)
from vc._format_fields import (
    TYPED_PROPERTIES,
    check_holder,
    check_issuer,
    check_language_values,
    check_proofs,
    check_related_resources,
    check_subjects,
    check_typed_objects,
    check_url_property,
    check_validity_dates,
)
from vc._format_report import (
    CREDENTIAL_TYPE,
    ENVELOPED_CREDENTIAL_TYPE,
    ENVELOPED_PRESENTATION_TYPE,
    PRESENTATION_TYPE,
    Report,
    describe,
    join,
    objects,
    strings,
)
from vc.jsonld import CREDENTIALS_V1, CREDENTIALS_V2
from vc.results import CheckResult
from vc.types import JSONObject

__all__ = [
    "CREDENTIAL_TYPE",
    "PRESENTATION_TYPE",
    "ENVELOPED_CREDENTIAL_TYPE",
    "ENVELOPED_PRESENTATION_TYPE",
    "DataModel",
    "DocumentForm",
    "DocumentKind",
    "check_format",
    "data_model_version",
    "document_kind",
    "inspect_form",
]


DocumentKind = Literal["credential", "presentation", "unknown"]
DataModel = Literal["1.1", "2.0"]


def data_model_version(document: JSONObject) -> DataModel | None:
    """The VC Data Model a document follows, by its first ``@context`` (None: neither).

    ``https://www.w3.org/ns/credentials/v2`` is 2.0, ``https://www.w3.org/2018/credentials/v1``
    is 1.1 (VC 1.1, "Contexts": the first item of ``@context``).
    """
    context = document.get("@context")
    first = context[0] if isinstance(context, list) and context else context
    if first == CREDENTIALS_V2:
        return "2.0"
    if first == CREDENTIALS_V1:
        return "1.1"
    return None


def document_kind(document: JSONObject) -> DocumentKind:
    """Tell a credential from a presentation by its ``type``.

    A document whose types hold both or neither is ``"unknown"``.
    """
    types = strings(document.get("type"))
    is_credential = CREDENTIAL_TYPE in types
    is_presentation = PRESENTATION_TYPE in types
    if is_credential and not is_presentation:
        return "credential"
    if is_presentation and not is_credential:
        return "presentation"
    return "unknown"


def check_format(
    document: object,
    *,
    require_issuer: bool = False,
    form: DocumentForm | None = None,
    json_ld: bool = True,
) -> list[CheckResult]:
    """Check a credential or presentation against the VC Data Model 2.0.

    Args:
        document: a parsed JSON object (see :func:`vc.jsontext.parse_document`).
        require_issuer: also fail a credential without an issuer identified by a
            URL (the W3C test-suite inputs leave it to the issuer to add one).
        form: the document's :func:`inspect_form` report, when the caller has it.
        json_ld: also check that every context is bundled, every term defined and
            the document in compacted form. A credential secured as a VC-JWT is
            signed as JSON, not as RDF, and is checked without (the data model's
            rules only).

    Returns:
        One passed ``format`` check, or one failed ``format.<reason>`` check per
        problem found. Bad input never raises.

    Raises:
        TypeError: `document` is not a dict (a programming error).
    """
    if not isinstance(document, dict):
        raise TypeError(f"check_format takes a JSON object, not {type(document).__name__}")
    report = Report()
    types = strings(document.get("type"))
    if ENVELOPED_CREDENTIAL_TYPE in types or ENVELOPED_PRESENTATION_TYPE in types:
        noun = (
            "enveloped credential"
            if ENVELOPED_CREDENTIAL_TYPE in types
            else "enveloped presentation"
        )
        _check_envelope(document, report, "")
    else:
        noun = _check_document(document, report, require_issuer=require_issuer)
    if json_ld:
        # Where the compaction walk answered, the document's contexts are bundled URLs and
        # none is nested: only the proofs' own contexts remain to be looked at.
        walked = form is not None and form.walked
        check_context_references(_proofs_only(document) if walked else document, report)
        if report.contexts_ok:
            check_terms(document, report, form)
    if report.failures:
        return report.failures
    version = data_model_version(document) or "2.0"
    return [CheckResult.passed("format", f"a well-formed VC Data Model {version} {noun}")]


def _proofs_only(document: JSONObject) -> JSONObject:
    # The members the compaction walk skips, at the paths the document has them.
    kept: JSONObject = {}
    if "proof" in document:
        kept["proof"] = document["proof"]
    embedded = document.get("verifiableCredential")
    if isinstance(embedded, list):
        kept["verifiableCredential"] = [
            {"proof": item["proof"]} if isinstance(item, dict) and "proof" in item else {}
            for item in embedded
        ]
    elif isinstance(embedded, dict) and "proof" in embedded:
        kept["verifiableCredential"] = {"proof": embedded["proof"]}
    return kept


# --- one document --------------------------------------------------------------------


def _check_document(document: JSONObject, report: Report, *, require_issuer: bool) -> str:
    # Returns the noun for the passed message.
    types = strings(document.get("type"))
    is_credential = CREDENTIAL_TYPE in types
    is_presentation = PRESENTATION_TYPE in types
    if is_presentation and not is_credential:
        _check_presentation(document, report)
        return "presentation"
    if is_credential and not is_presentation:
        _check_credential(document, report, "", require_issuer=require_issuer)
        return "credential"
    # Neither or both: say so.
    check_context(document, report, "")
    if is_credential:
        report.fail(
            "type",
            "type names both VerifiableCredential and VerifiablePresentation; keep one",
            "type",
        )
    else:
        check_type(document, report, "", None)
    # Apply the rules of what the document most looks like, if anything.
    if is_credential or "credentialSubject" in document or "issuer" in document:
        _check_credential_body(document, report, "", require_issuer=require_issuer)
        return "credential"
    if "verifiableCredential" in document or "holder" in document:
        _check_presentation_body(document, report)
        return "presentation"
    check_url_property(document, "id", report, "id", "", required=False)
    check_language_values(document, report, "")
    check_proofs(document, report, "")
    return "document"


def _check_credential(
    document: JSONObject, report: Report, path: str, *, require_issuer: bool
) -> None:
    check_context(document, report, path)
    check_type(document, report, path, CREDENTIAL_TYPE)
    _check_credential_body(document, report, path, require_issuer=require_issuer)


def _check_credential_body(
    document: JSONObject, report: Report, path: str, *, require_issuer: bool
) -> None:
    check_url_property(document, "id", report, "id", path, required=False)
    check_issuer(document, report, path, required=require_issuer)
    check_subjects(document, report, path)
    check_validity_dates(document, report, path, version=data_model_version(document) or "2.0")
    check_language_values(document, report, path)
    for key, reason, id_required in TYPED_PROPERTIES:
        check_typed_objects(document, key, reason, report, path, id_required=id_required)
    check_related_resources(document, report, path)
    check_proofs(document, report, path)


def _check_presentation(document: JSONObject, report: Report) -> None:
    check_context(document, report, "")
    check_type(document, report, "", PRESENTATION_TYPE)
    _check_presentation_body(document, report)


def _check_presentation_body(document: JSONObject, report: Report) -> None:
    check_url_property(document, "id", report, "id", "", required=False)
    check_holder(document, report)
    check_language_values(document, report, "")
    check_typed_objects(document, "termsOfUse", "terms_of_use", report, "", id_required=False)
    check_related_resources(document, report, "")
    check_proofs(document, report, "")
    _check_embedded_credentials(document, report)


# --- presentations: embedded and enveloped credentials -------------------------------


def _check_embedded_credentials(document: JSONObject, report: Report) -> None:
    # VC 2.0 "Presentations": verifiableCredential holds credentials as objects,
    # never as strings, or EnvelopedVerifiableCredential objects.
    if "verifiableCredential" not in document:
        return
    value = document["verifiableCredential"]
    if value == []:
        report.fail(
            "verifiable_credential",
            "verifiableCredential is an empty list; omit it or embed one or more credentials",
            "verifiableCredential",
        )
        return
    for index, item in objects(value):
        position = 0 if index is None else index
        at = "verifiableCredential" if index is None else f"verifiableCredential[{index}]"
        if not isinstance(item, dict):
            report.fail(
                "verifiable_credential",
                f"{at} is {describe(item)}; embed the credential as an object or envelope it",
                at,
                index=position,
            )
            continue
        types = strings(item.get("type"))
        identifier = item.get("id")
        inner = Report()
        if ENVELOPED_CREDENTIAL_TYPE in types or (
            CREDENTIAL_TYPE not in types
            and isinstance(identifier, str)
            and _is_data_url(identifier)
        ):
            reason = "enveloped"
            _check_envelope(item, inner, "")
        else:
            reason = "verifiable_credential"
            _check_credential(item, inner, "", require_issuer=True)
        report.bad_iris |= inner.bad_iris
        report.contexts_ok = report.contexts_ok and inner.contexts_ok
        for failure in inner.failures:
            details = dict(failure.details)
            inner_path = details.pop("path", "")
            report.fail(
                reason,
                f"{at}: {failure.message}",
                join(at, inner_path) if isinstance(inner_path, str) and inner_path else at,
                index=position,
                check=failure.id,
                **details,
            )


def _is_data_url(value: str) -> bool:
    return value[:5].lower() == "data:" and "," in value


def _check_envelope(node: JSONObject, report: Report, path: str) -> None:
    # VC 2.0 "Enveloped Verifiable Credentials/Presentations": the v2 context,
    # the Enveloped* type and a data: URL id that carries the secured document.
    label = path or "the envelope"
    types = strings(node.get("type"))
    check_context(node, report, path)
    if ENVELOPED_CREDENTIAL_TYPE not in types and ENVELOPED_PRESENTATION_TYPE not in types:
        expected = (
            ENVELOPED_PRESENTATION_TYPE if PRESENTATION_TYPE in types else ENVELOPED_CREDENTIAL_TYPE
        )
        report.fail(
            "enveloped",
            f"{label} has a data: URL id but its type lacks {expected!r}",
            join(path, "type"),
        )
    identifier = node.get("id")
    if not (isinstance(identifier, str) and _is_data_url(identifier)):
        if isinstance(identifier, str):
            report.bad_iris.add(identifier)
        report.fail(
            "enveloped",
            f"{label} id must be a data: URL holding the secured document",
            join(path, "id"),
        )

"""A document's proofs: the proof set, what a chained proof covers, and their timestamps.

Data Integrity, "Proof Sets" and "Proof Chains": a document carries one proof or a
list of them (at most :data:`MAX_PROOFS`), and a proof naming ``previousProof``
covers the document together with the proofs it names. A proof's ``created`` and
``expires`` are XML Schema ``dateTimeStamp`` values. Re-exported by :mod:`vc.proofs`.
"""

from __future__ import annotations

from vc.errors import MalformedDocumentError
from vc.timestamps import parse_datetime_stamp
from vc.types import JSONObject, JSONValue

__all__ = ["MAX_PROOFS", "proofs_of", "unsecured_document"]

#: Documents with more proofs than this are refused before any canonicalization.
MAX_PROOFS = 4


def _is_datetime_stamp(value: JSONValue) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parse_datetime_stamp(value)
    except ValueError:
        return False
    return True


def proofs_of(document: JSONObject) -> list[JSONObject]:
    """The proofs of a secured document, as a list (a proof set may hold several).

    Raises:
        MalformedDocumentError: ``proof_missing`` when there is no proof, or
            ``proof_malformed`` when a proof is not an object or there are too many.
    """
    value = document.get("proof")
    if value is None or value == []:
        raise MalformedDocumentError("the document has no proof", code="proof_missing")
    items = value if isinstance(value, list) else [value]
    if len(items) > MAX_PROOFS:
        raise MalformedDocumentError(
            f"the document carries {len(items)} proofs (limit {MAX_PROOFS})", code="proof_malformed"
        )
    proofs: list[JSONObject] = []
    for item in items:
        if not isinstance(item, dict):
            raise MalformedDocumentError("a proof must be a JSON object", code="proof_malformed")
        proofs.append(item)
    return proofs


def unsecured_document(document: JSONObject, proof: JSONObject) -> JSONObject:
    """The document `proof` signed: without proofs, or with the proofs it chains to.

    Data Integrity, "Verify Proof Sets and Chains": a proof with ``previousProof``
    covers the document together with exactly the proofs it names.

    Raises:
        MalformedDocumentError: ``proof_chain_broken`` when a named previous proof is absent.
    """
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    previous = proof.get("previousProof")
    if previous is None:
        return unsecured
    wanted = previous if isinstance(previous, list) else [previous]
    if not wanted or not all(isinstance(p, str) for p in wanted):
        raise MalformedDocumentError("previousProof must name proof ids", code="proof_chain_broken")
    by_id = {p.get("id"): p for p in proofs_of(document) if p is not proof}
    missing = [p for p in wanted if p not in by_id]
    if missing:
        raise MalformedDocumentError(
            f"previousProof names {str(missing[0])[:80]!r}, which is not in the proof set",
            code="proof_chain_broken",
        )
    chained: list[JSONValue] = [by_id[p] for p in wanted]
    unsecured["proof"] = chained[0] if len(chained) == 1 else chained
    return unsecured

"""The real-world corpus (tests/vectors/formats) through laurel's verification pipeline.

The same fixtures and the same offline web as the library-level harness
(:mod:`tests.vc.formats.corpus`), but each input goes through what `laurel verify`
does: :func:`verifier.sources.documents_in` (JSON, JWTs, baked images), then
:func:`verifier.verify_bytes` with a DID resolver, a status checker and a document
fetcher whose only web is the corpus. The corpus answers through the same errors the
fetch guard raises (:class:`verifier.errors.FetchFailedError`), so every check sees
what it would see on the network.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from tests.vc.formats.corpus import CORPUS, NOW, OfflineWeb
from vc.did import DidResolver
from vc.errors import LaurelError, MalformedDocumentError
from vc.jsontext import parse_document
from vc.results import CheckResult, Status, VerificationResult
from verifier import VerificationPolicy, verify_bytes
from verifier.errors import FetchFailedError
from verifier.fetched import FetchedDocument
from verifier.sources import documents_in
from verifier.status import StatusChecker

__all__ = ["CORPUS", "NOW", "PipelineRun", "failures", "run_pipeline", "verdict_text"]


@dataclass
class PipelineRun:
    """The results of one corpus file, and every URL the verification asked the web for."""

    results: list[VerificationResult] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


class _GuardedCorpus:
    """The corpus as the fetch guard would answer: bytes, or a FetchFailedError."""

    def __init__(self, web: OfflineWeb) -> None:
        self.web = web

    def __call__(self, url: str) -> bytes:
        try:
            return self.web(url)
        except LaurelError as exc:
            raise FetchFailedError(exc.message) from exc

    def fetch(self, url: str, *, max_bytes: int | None = None, **_: object) -> FetchedDocument:
        return FetchedDocument(url, 200, "application/json", self(url))


def _self_hosted(data: bytes, web: OfflineWeb) -> None:
    # 1EdTech's OB 2.0 tests take the given assertion as its own hosted copy.
    try:
        document = parse_document(data)
    except MalformedDocumentError:
        return
    if isinstance(document.get("id"), str) and "openbadges" in json.dumps(document.get("@context")):
        web.extra[str(document["id"])] = data


def run_pipeline(path: Path, *, now=NOW) -> PipelineRun:
    """Verify one corpus file as `laurel verify` would, against the offline corpus web."""
    data = path.read_bytes()
    web = OfflineWeb()
    guarded = _GuardedCorpus(web)
    resolver = DidResolver(web_fetcher=guarded)
    policy = VerificationPolicy(now=now)
    run = PipelineRun(requests=web.requests)
    try:
        documents = documents_in(data)
    except MalformedDocumentError as exc:
        check = CheckResult.failed(f"format.{exc.code}", exc.message)
        run.results.append(VerificationResult((check,), unreadable=True))
        return run
    for _, document in documents:
        _self_hosted(document, web)
    for _, document in documents:
        checker = StatusChecker(guarded.fetch, resolver)
        run.results.append(
            verify_bytes(document, policy, resolver=resolver, status_checker=checker, fetch=guarded)
        )
    return run


def failures(result: VerificationResult) -> set[str]:
    """Every failed check id of a result and of the credentials it holds."""
    ids = {c.id for c in result.checks if c.status is Status.FAILED}
    for inner in result.credentials:
        ids |= failures(inner)
    return ids


def verdict_text(results: list[VerificationResult]) -> str:
    """``verified``, or ``not verified: <failed ids, sorted>``."""
    failed = sorted(set().union(*(failures(r) for r in results)))
    if results and not failed and all(r.verified for r in results):
        return "verified"
    return "not verified: " + ", ".join(failed)

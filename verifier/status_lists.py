"""The status lists a checker reads: fetched through the guard, verified, cached, revalidated.

A list credential is used from the cache while fresh (min of its ttl, the host's
``max-age`` and `max_age`, and before its ``validUntil``); otherwise it is asked for
again (``If-None-Match`` when it had an ETag) and verified before use: its id, its
issuer, its proof, its validity and that it is not older than one already seen
(rollback). A list that cannot be retrieved or verified is refused (:class:`ListRefused`),
never taken as "not revoked" (SECURITY.md §2, S01-S17).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from vc.did import DidResolver
from vc.results import CheckResult, Status
from vc.status import StatusEntry, StatusList, StatusListError, read_list_credential
from vc.timestamps import parse_datetime_stamp
from vc.types import JSONObject, JSONValue
from verifier.check_context import CheckContext, issuer_id, short
from verifier.errors import FetchBlockedError, FetchFailedError
from verifier.proof_checks import check_proofs
from verifier.status_documents import UnreadableList, list_dates, list_document, read_any_list
from verifier.status_results import fetch_blocked, list_error, retrieval_failed

if TYPE_CHECKING:
    # The fetch guard (http.client, ssl) is imported only by what fetches.
    from verifier.fetched import FetchedDocument

__all__ = [
    "MAX_CACHED_LISTS",
    "MAX_LIST_AGE",
    "MAX_LIST_BYTES",
    "ListRefused",
    "StatusFetch",
    "StatusLists",
]

#: The largest list credential fetched (a 16 MiB bitstring compresses far below this).
MAX_LIST_BYTES = 2 * 1024 * 1024
#: A cached list is used for at most this many seconds, whatever its ttl says.
MAX_LIST_AGE = 24 * 3600.0
#: How many list credentials one checker keeps (least recently used go first).
MAX_CACHED_LISTS = 256
#: How many list URLs the rollback memory (newest validFrom) keeps.
_MAX_REMEMBERED = 4096


class StatusFetch(Protocol):
    """How the checker fetches a list: :meth:`verifier.fetch.Fetcher.fetch` or a fake."""

    def __call__(
        self, url: str, *, max_bytes: int | None = None, if_none_match: str | None = None
    ) -> FetchedDocument:
        """Fetch `url`, reading at most `max_bytes`; raise a FetchError on failure.

        `if_none_match` (an ETag the fetch gave before) asks for a 304 when the list
        is unchanged; it is passed only after an answer that carried an ETag, so a
        fetch that never gives one need not take it.
        """
        ...


@dataclass(slots=True)
class _Cached:
    """A verified list credential and when (monotonic seconds) it was last confirmed current.

    Its ETag and the ``max-age`` its host gave let it be revalidated, not trusted blindly.
    """

    document: JSONObject
    status_list: StatusList
    fetched_at: float
    final_url: str
    valid_from: dt.datetime | None
    valid_until: dt.datetime | None
    by_size: dict[int, StatusList] = field(default_factory=dict)
    etag: str | None = None
    max_age: float | None = None


class ListRefused(Exception):
    """A list that cannot be used; carries the check result to report."""

    def __init__(self, result: CheckResult) -> None:
        super().__init__(result.message)
        self.result = result


class StatusLists:
    """The verified list credentials of one checker: a bounded, thread-safe cache.

    `fetch` fetches a URL through the fetch guard (``None``: never fetch);
    `resolver` resolves the list issuers' keys; `note` receives the hygiene warnings
    (``status.list_id_mismatch``) of the lists read.
    """

    def __init__(
        self,
        fetch: StatusFetch | None,
        resolver: DidResolver,
        *,
        clock: Callable[[], float],
        max_age: float,
        max_lists: int,
        note: Callable[[CheckResult], None],
    ) -> None:
        self._fetch = fetch
        self._resolver = resolver
        self._clock = clock
        self._max_age = max_age
        self._max_lists = max_lists
        self._note = note
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, _Cached] = OrderedDict()
        self._newest: OrderedDict[str, dt.datetime] = OrderedDict()

    def cached_urls(self) -> list[str]:
        """The list URLs currently cached, least recently used first."""
        with self._lock:
            return list(self._cache)

    def list_for(
        self, entry: StatusEntry, issuer: str | None, ctx: CheckContext
    ) -> tuple[StatusList, float | None]:
        """The verified list for `entry` and its cache age (None when just fetched).

        Raises:
            ListRefused: the list cannot be used for `entry` (with the result to report).
        """
        url = entry.list_url
        now = ctx.policy.now
        clock = self._clock()
        with self._lock:
            held = self._cache.get(url)
            if held is not None and self._fresh(held, now, clock):
                self._cache.move_to_end(url)
                cached: _Cached | None = held
                age: float | None = clock - held.fetched_at
            else:
                cached, age = None, None
        if cached is None:
            cached, age = self._refresh(url, held, now, clock, ctx)
        self._check_issuer(cached.status_list, issuer, ctx, url)
        if entry.purpose not in cached.status_list.purposes:
            raise ListRefused(
                CheckResult.failed(
                    "status.purpose_mismatch",
                    f"the entry's purpose is {short(entry.purpose)} but the list is for "
                    f"{short(sorted(cached.status_list.purposes))}",
                    error="STATUS_VERIFICATION_ERROR",
                    list=url,
                )
            )
        return self._sized(cached, entry.status_size, url), age

    def _document_of(self, url: str, body: bytes, ctx: CheckContext) -> tuple[JSONObject, bool]:
        """A fetched list as JSON, or a VC-JWT list verified (verifier.status_documents)."""
        try:
            return list_document(body, resolver=self._resolver, now=ctx.policy.now)
        except UnreadableList as exc:
            details: dict[str, JSONValue] = {"checks": list(exc.checks)} if exc.checks else {}
            raise ListRefused(self._invalid(url, exc.message, **details)) from exc

    def _usable_for(self, cached: _Cached) -> float:
        """How long a list may be used at all: its ttl (capped), also when its host is down."""
        ttl_ms = cached.status_list.ttl_ms
        return self._max_age if ttl_ms is None else min(ttl_ms / 1000, self._max_age)

    def _fresh(self, cached: _Cached, now: dt.datetime, clock: float) -> bool:
        # Used without asking again for the host's max-age when it gave one (an issuer
        # serving its lists with a short max-age has revocations seen within it), never
        # past the list's own ttl (Bitstring Status List, "ttl").
        limit = self._usable_for(cached)
        if cached.max_age is not None:
            limit = min(limit, cached.max_age)
        if clock - cached.fetched_at >= limit:
            return False
        return cached.valid_until is None or now < cached.valid_until

    def _refresh(
        self,
        url: str,
        held: _Cached | None,
        now: dt.datetime,
        clock: float,
        ctx: CheckContext,
    ) -> tuple[_Cached, float | None]:
        """A list no longer fresh: asked again (``If-None-Match`` when it has an ETag).

        An unchanged list (304) is used again as verified; a list whose host does not
        answer is used while younger than its ttl and still valid, its age reported;
        otherwise the fetch's failure stands.
        """
        if held is None or held.etag is None or self._fetch is None:
            try:
                return self._fetch_list(url, ctx), None
            except ListRefused as refused:
                if held is not None and self._still_usable(held, now, clock, refused):
                    return held, clock - held.fetched_at
                raise
        try:
            fetched = self._fetch(url, max_bytes=MAX_LIST_BYTES, if_none_match=held.etag)
        except FetchBlockedError as exc:
            raise ListRefused(fetch_blocked(url, exc)) from exc
        except FetchFailedError as exc:
            failure = self._retrieval_failed(url, exc.message, ctx)
            if self._still_usable(held, now, clock, failure):
                return held, clock - held.fetched_at
            raise failure from exc
        if fetched.status == 304:
            with self._lock:
                held.fetched_at = self._clock()
                held.max_age = fetched.max_age if fetched.max_age is not None else held.max_age
                held.etag = fetched.etag or held.etag
                self._cache[url] = held
                self._cache.move_to_end(url)
            return held, None
        return self._from_response(url, fetched, ctx), None

    def _still_usable(
        self, held: _Cached, now: dt.datetime, clock: float, refused: ListRefused
    ) -> bool:
        """Whether a list whose host did not answer may still be used (within its ttl)."""
        if refused.result.id != "status.retrieval_failed":
            return False
        if held.valid_until is not None and now >= held.valid_until:
            return False
        return clock - held.fetched_at < self._usable_for(held)

    def _sized(self, cached: _Cached, status_size: int, url: str) -> StatusList:
        """The list read with `status_size` bits per entry (read once per size)."""
        known = cached.by_size.get(status_size)  # one dict read: atomic; writes hold the lock
        if known is not None:
            return known
        try:
            sized = read_list_credential(cached.document, status_size=status_size)
        except StatusListError as exc:
            raise ListRefused(list_error(exc, url)) from exc
        with self._lock:
            cached.by_size[status_size] = sized
        return sized

    def _retrieval_failed(self, url: str, why: str, ctx: CheckContext) -> ListRefused:
        message = (
            f"could not confirm the credential's status: the list at {short(url)} "
            f"could not be retrieved ({why}); try again later"
        )
        return ListRefused(retrieval_failed(url, message, ctx.policy.status_unreachable))

    def _fetch_list(self, url: str, ctx: CheckContext) -> _Cached:
        if self._fetch is None:
            raise self._retrieval_failed(url, "fetching status lists is turned off", ctx)
        try:
            fetched = self._fetch(url, max_bytes=MAX_LIST_BYTES)
        except FetchBlockedError as exc:
            raise ListRefused(fetch_blocked(url, exc)) from exc
        except FetchFailedError as exc:
            raise self._retrieval_failed(url, exc.message, ctx) from exc
        return self._from_response(url, fetched, ctx)

    def _from_response(self, url: str, fetched: FetchedDocument, ctx: CheckContext) -> _Cached:
        if not 200 <= fetched.status < 300:
            raise self._retrieval_failed(url, f"HTTP {fetched.status}", ctx)
        document, proven = self._document_of(url, fetched.body, ctx)
        cached = self._accept(url, fetched.final_url, document, ctx, proven=proven)
        cached.etag, cached.max_age = fetched.etag, fetched.max_age
        return cached

    def _invalid(self, url: str, why: str, **details: JSONValue) -> CheckResult:
        return CheckResult.failed(
            "status.list_invalid",
            f"the status list {short(url)} cannot be trusted: {why}",
            error="STATUS_VERIFICATION_ERROR",
            list=url,
            **details,
        )

    def _accept(
        self,
        url: str,
        final_url: str,
        document: JSONObject,
        ctx: CheckContext,
        *,
        proven: bool = False,
    ) -> _Cached:
        """Verify a fetched list credential and cache it; raise ListRefused when unusable.

        `proven`: the list came as a VC-JWT whose signature by its issuer already verified.
        """
        mismatched = document.get("id") != url
        if mismatched:
            # S14: a hygiene rule (docs/STATUS-LISTS.md): the list is still read, its
            # issuer must still be the badge's (S03), and it is never cached (X09).
            self._note(
                CheckResult.warning(
                    "status.list_id_mismatch",
                    f"the list fetched from {short(url)} says it is "
                    f"{short(document.get('id'))}; its bit was read all the same (the "
                    "badge names the URL, and the list is signed by the badge's issuer)",
                    list=url,
                )
            )
        issuer = issuer_id(document)
        if not proven:
            list_ctx = CheckContext(policy=ctx.policy, resolver=self._resolver, web=ctx.web)
            proof_results = check_proofs(
                document, list_ctx, purpose="assertionMethod", controller=issuer, group="status"
            )
            failures = [r for r in proof_results if r.status is Status.FAILED]
            if failures or not proof_results:
                first = failures[0] if failures else None
                why = f"{first.message} ({first.id})" if first else "it carries no proof"
                raise ListRefused(
                    self._invalid(url, why, checks=[r.id for r in failures] or ["proof.missing"])
                )
        # The list credential's own validity first (it is a credential to verify, before
        # its bitstring is read: an expired list is refused as expired, whatever its size).
        start, end = list_dates(document)
        now = ctx.policy.now
        valid_from = self._stamp(start, "validFrom", url)
        valid_until = self._stamp(end, "validUntil", url)
        try:
            status_list = read_any_list(document)
        except StatusListError as exc:
            raise ListRefused(list_error(exc, url)) from exc
        if valid_until is not None and now > valid_until:
            raise ListRefused(self._invalid(url, f"it expired on {valid_until:%Y-%m-%d %H:%M} UTC"))
        if valid_from is not None and now + ctx.policy.clock_skew < valid_from:
            raise ListRefused(
                self._invalid(url, f"it is not valid until {valid_from:%Y-%m-%d %H:%M} UTC")
            )
        cached = _Cached(document, status_list, self._clock(), final_url, valid_from, valid_until)
        cached.by_size[1] = status_list
        with self._lock:
            newest = self._newest.get(url)
            if newest is not None and valid_from is not None and valid_from < newest:
                raise ListRefused(
                    CheckResult.failed(
                        "status.list_rollback",
                        f"the list {short(url)} is older (validFrom {valid_from.isoformat()}) "
                        f"than one already seen ({newest.isoformat()}): a replayed list",
                        error="STATUS_VERIFICATION_ERROR",
                        list=url,
                    )
                )
            if valid_from is not None:
                self._newest[url] = valid_from
                self._newest.move_to_end(url)
                while len(self._newest) > _MAX_REMEMBERED:
                    self._newest.popitem(last=False)
            if mismatched:
                return cached  # used for this check only, never cached (X09)
            self._cache[url] = cached
            self._cache.move_to_end(url)
            while len(self._cache) > self._max_lists:
                self._cache.popitem(last=False)
        return cached

    def _stamp(self, value: str | None, name: str, url: str) -> dt.datetime | None:
        if value is None:
            return None
        try:
            return parse_datetime_stamp(value)
        except (ValueError, TypeError) as exc:
            raise ListRefused(self._invalid(url, f"its {name} is not a valid date")) from exc

    def _check_issuer(
        self, status_list: StatusList, expected: str | None, ctx: CheckContext, url: str
    ) -> None:
        actual = status_list.issuer
        if actual == expected or actual in ctx.policy.trusted_status_issuers:
            return
        raise ListRefused(
            CheckResult.failed(
                "status.issuer_mismatch",
                f"the status list is issued by {short(actual)}, not by the credential's issuer "
                f"{short(expected)}",
                error="STATUS_VERIFICATION_ERROR",
                list=url,
            )
        )

"""The ``status`` check: fetch, verify and cache Bitstring Status List credentials.

For each ``credentialStatus`` entry of a credential the checker gets the list
credential (from its cache while fresh, otherwise through the fetch guard),
verifies it (id, issuer, proof, validity, rollback), checks the entry against
it (purpose, length, range) and reads the bit. It fails closed: a list that
cannot be retrieved or verified never counts as "not revoked" (SECURITY.md §2,
S01-S17).

Time comes from outside: validity against ``ctx.policy.now``, cache age from the
injected monotonic `clock`.

    >>> from vc.did import DidResolver
    >>> checker = StatusChecker(None, DidResolver())
    >>> checker.cached_urls()
    []
"""

from __future__ import annotations

import contextvars
import datetime as dt
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from vc.did import DidResolver
from vc.results import CheckResult, Status
from vc.status import (
    StatusEntry,
    StatusList,
    StatusListError,
    parse_status_entry,
    read_list_credential,
)
from vc.status2021 import parse_status_list_2021_entry
from vc.timestamps import parse_datetime_stamp
from vc.types import JSONObject, JSONValue
from verifier.check_context import CheckContext, issuer_id
from verifier.errors import FetchBlockedError, FetchFailedError
from verifier.proof_checks import check_proofs
from verifier.status_1edtech import ONE_EDTECH_TYPE, check_1edtech_entry
from verifier.status_documents import UnreadableList, list_dates, list_document, read_any_list

if TYPE_CHECKING:
    # The fetch guard (http.client, ssl) is imported only by what fetches.
    from verifier.fetched import FetchedDocument

__all__ = [
    "MAX_STATUS_ENTRIES",
    "MAX_CACHED_LISTS",
    "MAX_LIST_AGE",
    "MAX_LIST_BYTES",
    "StatusFetch",
    "StatusChecker",
]

#: The most credentialStatus entries checked; a credential with more is refused
#: unfetched (Open Badges use two: revocation and suspension; SECURITY.md D14).
MAX_STATUS_ENTRIES = 4
#: The largest list credential fetched (a 16 MiB bitstring compresses far below this).
MAX_LIST_BYTES = 2 * 1024 * 1024
#: A cached list is used for at most this many seconds, whatever its ttl says.
MAX_LIST_AGE = 24 * 3600.0
#: How many list credentials one checker keeps (least recently used go first).
MAX_CACHED_LISTS = 256
#: How many parsed status entries are kept (all are dropped when it fills).
_MAX_PARSED_ENTRIES = 4096
#: How many list URLs the rollback memory (newest validFrom) keeps.
_MAX_REMEMBERED = 4096

_BITSTRING_ENTRY = "BitstringStatusListEntry"
STATUS_LIST_2021_ENTRY = "StatusList2021Entry"
# What a set or unset bit means for the two purposes the specification names.
_SET = {
    "revocation": ("status.revoked", "the issuer has revoked this credential"),
    "suspension": ("status.suspended", "the issuer has suspended this credential"),
}
_UNSET = {"revocation": "not revoked", "suspension": "not suspended"}

# StatusListError.reason -> (check id suffix, spec error name when the error lacks one).
_REASONS = {
    "list_too_short": "list_too_short",
    "range": "range",
    "malformed": "malformed",
    "list_too_large": "list_too_large",
    "purpose_mismatch": "purpose_mismatch",
    "list_invalid": "list_invalid",
}


class StatusFetch(Protocol):
    """How the checker fetches a list: :meth:`verifier.fetch.Fetcher.fetch` or a fake."""

    def __call__(
        self, url: str, *, max_bytes: int | None = ..., if_none_match: str | None = ...
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


class _Refused(Exception):
    """A list that cannot be used; carries the check result to report."""

    def __init__(self, result: CheckResult) -> None:
        super().__init__(result.message)
        self.result = result


def _short(value: object, limit: int = 80) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _list_error(exc: StatusListError, url: str) -> CheckResult:
    reason = _REASONS.get(exc.reason, "list_invalid")
    if reason == "list_too_short":
        # Bitstring Status List, "Validate Algorithm", step 9: STATUS_LIST_LENGTH_ERROR.
        # The fault is the issuer's list (too small to hide one credential among many),
        # not the badge: say so, and keep it a failure (the status is not confirmed).
        return CheckResult.failed(
            "status.list_too_short",
            f"the issuer's status list {_short(url)} is non-conformant: {exc.message} "
            "(Bitstring Status List, STATUS_LIST_LENGTH_ERROR), so the badge's status "
            "cannot be confirmed from it",
            error=exc.error,
            list=url,
            hint="This is a fault of the issuer's list, not of the badge: ask the issuer to "
            "publish a list of at least 131,072 entries.",
        )
    return CheckResult.failed(f"status.{reason}", exc.message, error=exc.error, list=url)


def _types(entry: JSONObject) -> list[str]:
    value = entry.get("type")
    items = value if isinstance(value, list) else [value]
    return [t for t in items if isinstance(t, str)]


def _status_message(entry: JSONObject, value: int) -> str | None:
    messages = entry.get("statusMessage")
    if not isinstance(messages, list):
        return None
    for item in messages:
        if not isinstance(item, dict):
            continue
        code, text = item.get("status"), item.get("message")
        if isinstance(code, str) and isinstance(text, str):
            try:
                if int(code, 16) == value:
                    return text
            except ValueError:
                continue
    return None


class StatusChecker:
    """Checks ``credentialStatus`` entries against fetched, verified, cached lists.

    `fetch` fetches a URL through the fetch guard (``None``: never fetch, so an
    uncached list cannot be checked); `resolver` resolves the list issuers' keys.
    The cache is per instance, thread-safe and bounded; a list is used from it
    while younger than min(its ttl, `max_age`) and before its ``validUntil``.
    """

    def __init__(
        self,
        fetch: StatusFetch | None,
        resolver: DidResolver,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_age: float = MAX_LIST_AGE,
        max_lists: int = MAX_CACHED_LISTS,
    ) -> None:
        self._fetch = fetch
        self._resolver = resolver
        self._clock = clock
        self._max_age = max_age
        self._max_lists = max_lists
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, _Cached] = OrderedDict()
        self._newest: OrderedDict[str, dt.datetime] = OrderedDict()
        self._parsed: dict[tuple[object, ...], StatusEntry] = {}
        # The hygiene warnings of the entry being checked (one list per thread/context).
        self._notes: contextvars.ContextVar[list[CheckResult]] = contextvars.ContextVar(
            "laurel_status_notes"
        )

    def cached_urls(self) -> list[str]:
        """The list URLs currently cached, least recently used first."""
        with self._lock:
            return list(self._cache)

    def check(self, credential: JSONObject, ctx: CheckContext) -> list[CheckResult]:
        """One result per ``credentialStatus`` entry of `credential` (skipped when it has none)."""
        value = credential.get("credentialStatus")
        if value is None:
            return [CheckResult.skipped("status", "the credential has no credentialStatus")]
        entries = value if isinstance(value, list) else [value]
        if not entries:
            return [CheckResult.skipped("status", "the credential's credentialStatus is empty")]
        if len(entries) > MAX_STATUS_ENTRIES:
            return [
                CheckResult.failed(
                    "status.too_many_entries",
                    f"the credential has {len(entries)} credentialStatus entries; laurel checks "
                    f"at most {MAX_STATUS_ENTRIES} and fetched none of them",
                    entries=len(entries),
                )
            ]
        issuer = issuer_id(credential)
        results: list[CheckResult] = []
        for entry in entries:
            results.extend(self._check_any(entry, credential, issuer, ctx))
        if all(r.id == "status.unsupported" for r in results):
            # The issuer asked for its status to be checked, and laurel can check none
            # of its entries: that is never a silent pass (SECURITY.md R03).
            return [
                CheckResult.failed(
                    r.id, r.message + "; no entry laurel knows remains", **dict(r.details)
                )
                for r in results
            ]
        return results

    # --- issue #13: entries beyond Bitstring Status List (kept apart from the core) ------

    def _check_any(
        self, entry: JSONValue, credential: JSONObject, issuer: str | None, ctx: CheckContext
    ) -> list[CheckResult]:
        """The checks of one entry: a 1EdTech revocation list, or a list with a bitstring.

        A list's hygiene notes (``status.list_id_mismatch``) come before the bit it gave.
        """
        if isinstance(entry, dict) and ONE_EDTECH_TYPE in _types(entry):
            return check_1edtech_entry(
                entry,
                credential,
                self._body_fetch(),
                unreachable=ctx.policy.status_unreachable,
            )
        self._notes.set([])
        result = self._check_entry(entry, issuer, ctx)
        return [*self._notes.get(), result]

    def _body_fetch(self) -> Callable[[str], bytes] | None:
        fetch = self._fetch
        if fetch is None:
            return None
        return lambda url: fetch(url, max_bytes=MAX_LIST_BYTES).body

    def _document_of(self, url: str, body: bytes, ctx: CheckContext) -> tuple[JSONObject, bool]:
        """A fetched list as JSON, or a VC-JWT list verified (verifier.status_documents)."""
        try:
            return list_document(body, resolver=self._resolver, now=ctx.policy.now)
        except UnreadableList as exc:
            details: dict[str, JSONValue] = {"checks": list(exc.checks)} if exc.checks else {}
            raise _Refused(self._invalid(url, exc.message, **details)) from exc

    def _check_entry(self, entry: JSONValue, issuer: str | None, ctx: CheckContext) -> CheckResult:
        if not isinstance(entry, dict):
            return CheckResult.failed(
                "status.malformed",
                "a credentialStatus entry is not an object",
                error="MALFORMED_VALUE_ERROR",
            )
        parsed = self._parse(entry)
        if isinstance(parsed, CheckResult):
            return parsed
        try:
            status_list, age = self._list_for(parsed, issuer, ctx)
        except _Refused as refused:
            return refused.result
        return self._read(entry, parsed, status_list, age)

    def _parse(self, entry: JSONObject) -> StatusEntry | CheckResult:
        """The entry parsed, or the result refusing it; parses are kept by content.

        A badge is verified again and again with the same entries: keeping the parse
        (a pure function of the entry's members) makes a warm check mostly lookups.
        """
        try:
            key: tuple[object, ...] | None = tuple(entry.items())
            known = self._parsed.get(key)  # type: ignore[arg-type]
        except TypeError:  # a member holds a list or an object: not kept
            key, known = None, None
        if known is not None:
            return known
        declared = entry.get("type")
        legacy = STATUS_LIST_2021_ENTRY in _types(entry)
        if declared != _BITSTRING_ENTRY and declared != [_BITSTRING_ENTRY] and not legacy:
            unsupported = self._unsupported(_types(entry))
            if unsupported is not None:
                return unsupported
        try:
            # StatusList2021 (W3C CCG) is the predecessor DCC's issuers still publish.
            parse = parse_status_list_2021_entry if legacy else parse_status_entry
            parsed = parse(entry)
        except StatusListError as exc:
            return _list_error(exc, _short(entry.get("statusListCredential")))
        if key is not None:
            with self._lock:
                if len(self._parsed) >= _MAX_PARSED_ENTRIES:
                    self._parsed.clear()
                self._parsed[key] = parsed
        return parsed

    @staticmethod
    def _unsupported(types: list[str]) -> CheckResult | None:
        if _BITSTRING_ENTRY not in types:
            return CheckResult.warning(
                "status.unsupported",
                f"the status entry type {_short(types)} is not supported: its status was not checked",
                type=list(types),
            )
        return None

    def _list_for(
        self, entry: StatusEntry, issuer: str | None, ctx: CheckContext
    ) -> tuple[StatusList, float | None]:
        """The verified list for `entry` and its cache age (None when just fetched)."""
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
            raise _Refused(
                CheckResult.failed(
                    "status.purpose_mismatch",
                    f"the entry's purpose is {_short(entry.purpose)} but the list is for "
                    f"{_short(sorted(cached.status_list.purposes))}",
                    error="STATUS_VERIFICATION_ERROR",
                    list=url,
                )
            )
        return self._sized(cached, entry.status_size, url), age

    def _note(self, result: CheckResult) -> None:
        notes = self._notes.get(None)
        if notes is not None:
            notes.append(result)

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
            except _Refused as refused:
                if held is not None and self._still_usable(held, now, clock, refused):
                    return held, clock - held.fetched_at
                raise
        try:
            fetched = self._fetch(url, max_bytes=MAX_LIST_BYTES, if_none_match=held.etag)
        except FetchBlockedError as exc:
            raise _Refused(
                CheckResult.failed(
                    "status.fetch_blocked",
                    exc.message,
                    error="STATUS_RETRIEVAL_ERROR",
                    list=url,
                    hint=exc.hint,
                )
            ) from exc
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
        self, held: _Cached, now: dt.datetime, clock: float, refused: _Refused
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
            raise _Refused(_list_error(exc, url)) from exc
        with self._lock:
            cached.by_size[status_size] = sized
        return sized

    def _retrieval_failed(self, url: str, why: str, ctx: CheckContext) -> _Refused:
        message = (
            f"could not confirm the credential's status: the list at {_short(url)} "
            f"could not be retrieved ({why}); try again later"
        )
        if ctx.policy.status_unreachable == "warn":
            result = CheckResult.warning(
                "status.retrieval_failed", message, error="STATUS_RETRIEVAL_ERROR", list=url
            )
        else:
            result = CheckResult.failed(
                "status.retrieval_failed",
                message,
                error="STATUS_RETRIEVAL_ERROR",
                list=url,
                hint="This is not a revocation: the status could not be checked.",
            )
        return _Refused(result)

    def _fetch_list(self, url: str, ctx: CheckContext) -> _Cached:
        if self._fetch is None:
            raise self._retrieval_failed(url, "fetching status lists is turned off", ctx)
        try:
            fetched = self._fetch(url, max_bytes=MAX_LIST_BYTES)
        except FetchBlockedError as exc:
            raise _Refused(
                CheckResult.failed(
                    "status.fetch_blocked",
                    exc.message,
                    error="STATUS_RETRIEVAL_ERROR",
                    list=url,
                    hint=exc.hint,
                )
            ) from exc
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
            f"the status list {_short(url)} cannot be trusted: {why}",
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
        """Verify a fetched list credential and cache it; raise _Refused when unusable.

        `proven`: the list came as a VC-JWT whose signature by its issuer already verified.
        """
        mismatched = document.get("id") != url
        if mismatched:
            # S14: a hygiene rule (docs/STATUS-LISTS.md): the list is still read, its
            # issuer must still be the badge's (S03), and it is never cached (X09).
            self._note(
                CheckResult.warning(
                    "status.list_id_mismatch",
                    f"the list fetched from {_short(url)} says it is "
                    f"{_short(document.get('id'))}; its bit was read all the same (the "
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
                raise _Refused(
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
            raise _Refused(_list_error(exc, url)) from exc
        if valid_until is not None and now > valid_until:
            raise _Refused(self._invalid(url, f"it expired on {valid_until:%Y-%m-%d %H:%M} UTC"))
        if valid_from is not None and now + ctx.policy.clock_skew < valid_from:
            raise _Refused(
                self._invalid(url, f"it is not valid until {valid_from:%Y-%m-%d %H:%M} UTC")
            )
        cached = _Cached(document, status_list, self._clock(), final_url, valid_from, valid_until)
        cached.by_size[1] = status_list
        with self._lock:
            newest = self._newest.get(url)
            if newest is not None and valid_from is not None and valid_from < newest:
                raise _Refused(
                    CheckResult.failed(
                        "status.list_rollback",
                        f"the list {_short(url)} is older (validFrom {valid_from.isoformat()}) "
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
            raise _Refused(self._invalid(url, f"its {name} is not a valid date")) from exc

    def _check_issuer(
        self, status_list: StatusList, expected: str | None, ctx: CheckContext, url: str
    ) -> None:
        actual = status_list.issuer
        if actual == expected or actual in ctx.policy.trusted_status_issuers:
            return
        raise _Refused(
            CheckResult.failed(
                "status.issuer_mismatch",
                f"the status list is issued by {_short(actual)}, not by the credential's issuer "
                f"{_short(expected)}",
                error="STATUS_VERIFICATION_ERROR",
                list=url,
            )
        )

    def _read(
        self, entry: JSONObject, parsed: StatusEntry, status_list: StatusList, age: float | None
    ) -> CheckResult:
        url = parsed.list_url
        try:
            value = status_list.bitstring.get(parsed.index)
        except StatusListError as exc:
            return _list_error(exc, url)
        purpose = parsed.purpose
        details: dict[str, JSONValue] = {"purpose": purpose, "list": url, "index": parsed.index}
        if age is not None:
            details["cache_age_s"] = round(age, 1)
        if value:
            check_id, text = _SET.get(
                purpose,
                (f"status.{purpose}", f"the credential's {purpose} status is set (value {value})"),
            )
            details["value"] = value
            if status_list.valid_from is not None:
                # When the issuer signed the list that says so: "revoked as of" this date.
                details["listValidFrom"] = status_list.valid_from
            message = _status_message(entry, value)
            if message is not None:
                text += f": {_short(message, 200)}"
                details["statusMessage"] = message
            return CheckResult(check_id, Status.FAILED, text, details)
        words = _UNSET.get(purpose) or f"{purpose} status not set"
        text = f"{words} (checked against the issuer's signed status list"
        text += f", cached {age:.0f} s ago)" if age is not None else ")"
        return CheckResult(f"status.{purpose}", Status.PASSED, text, details)

"""The ``status`` check: each ``credentialStatus`` entry read against its issuer's list.

For each entry of a credential the checker parses the entry, gets the list credential
it names, verified (:mod:`verifier.status_lists`: from the cache while fresh,
otherwise through the fetch guard), checks the entry against it (purpose, length,
range) and reads the bit. It fails closed: a list that cannot be retrieved or
verified never counts as "not revoked" (SECURITY.md §2, S01-S17). A 1EdTech
revocation list entry is checked by :mod:`verifier.status_1edtech`.

Time comes from outside: validity against ``ctx.policy.now``, cache age from the
injected monotonic `clock`.

    >>> from vc.did import DidResolver
    >>> checker = StatusChecker(None, DidResolver())
    >>> checker.cached_urls()
    []
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from vc.did import DidResolver
from vc.results import CheckResult, Status
from vc.status import StatusEntry, StatusList, StatusListError, parse_status_entry
from vc.status2021 import parse_status_list_2021_entry
from vc.types import JSONObject, JSONValue
from verifier.check_context import CheckContext, issuer_id, short
from verifier.status_1edtech import ONE_EDTECH_TYPE, check_1edtech_entry
from verifier.status_lists import (
    MAX_CACHED_LISTS,
    MAX_LIST_AGE,
    MAX_LIST_BYTES,
    ListRefused,
    StatusFetch,
    StatusLists,
)
from verifier.status_results import list_error

__all__ = ["MAX_STATUS_ENTRIES", "StatusChecker"]

#: The most credentialStatus entries checked; a credential with more is refused
#: unfetched (Open Badges use two: revocation and suspension; SECURITY.md D14).
MAX_STATUS_ENTRIES = 4
#: How many parsed status entries, and results read from a list, are kept (all are
#: dropped when it fills).
_MAX_PARSED_ENTRIES = 4096

_BITSTRING_ENTRY = "BitstringStatusListEntry"
STATUS_LIST_2021_ENTRY = "StatusList2021Entry"
# What a set or unset bit means for the two purposes the specification names.
_SET = {
    "revocation": ("status.revoked", "the issuer has revoked this credential"),
    "suspension": ("status.suspended", "the issuer has suspended this credential"),
}
_UNSET = {"revocation": "not revoked", "suspension": "not suspended"}


def _types(entry: JSONObject) -> list[str]:
    value = entry.get("type")
    items = value if isinstance(value, list) else [value]
    return [t for t in items if isinstance(t, str)]


def _declares(entry: JSONObject, name: str) -> bool:
    # `name in _types(entry)`, without building the list (a warm check runs it per entry).
    value = entry.get("type")
    if isinstance(value, str):
        return value == name
    return isinstance(value, list) and name in value


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
        self._lock = threading.Lock()
        # Parsed entries by (list URL, index), each with the members it was parsed from.
        self._parsed: dict[tuple[str, str], tuple[JSONObject, StatusEntry]] = {}
        # The last result each parsed entry read from each list, by their identities;
        # a list fetched again is another object, so it is read again.
        self._read_results: dict[
            tuple[int, int], tuple[StatusEntry, StatusList, int, CheckResult]
        ] = {}
        # The hygiene warnings of the entry each thread is checking, by thread: only a
        # list just fetched has any, so a warm check finds this empty.
        self._notes: dict[int, list[CheckResult]] = {}
        self._lists = StatusLists(
            fetch, resolver, clock=clock, max_age=max_age, max_lists=max_lists, note=self._note
        )

    def cached_urls(self) -> list[str]:
        """The list URLs currently cached, least recently used first."""
        return self._lists.cached_urls()

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
        checked = False  # an entry laurel could check (a loop: all() is a generator)
        for entry in entries:
            for result in self._check_any(entry, credential, issuer, ctx):
                results.append(result)
                checked = checked or result.id != "status.unsupported"
        if not checked:
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
        if isinstance(entry, dict) and _declares(entry, ONE_EDTECH_TYPE):
            return check_1edtech_entry(
                entry,
                credential,
                self._body_fetch(),
                unreachable=ctx.policy.status_unreachable,
            )
        if self._notes:
            self._notes.pop(threading.get_ident(), None)  # left by a check that raised
        result = self._check_entry(entry, issuer, ctx)
        if self._notes:
            notes = self._notes.pop(threading.get_ident(), None)
            if notes:
                notes.append(result)
                return notes
        return [result]

    def _body_fetch(self) -> Callable[[str], bytes] | None:
        fetch = self._fetch
        if fetch is None:
            return None
        return lambda url: fetch(url, max_bytes=MAX_LIST_BYTES).body

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
            status_list, age = self._lists.list_for(parsed, issuer, ctx)
        except ListRefused as refused:
            return refused.result
        return self._read(entry, parsed, status_list, age)

    def _parse(self, entry: JSONObject) -> StatusEntry | CheckResult:
        """The entry parsed, or the result refusing it; parses are kept by content.

        A badge is verified again and again with the same entries: keeping the parse
        (a pure function of the entry's members) makes a warm check mostly lookups.
        Only entries whose members are all strings are kept, found by list and index
        and used when every member is equal (so 1 never stands for true or 1.0).
        """
        url, index = entry.get("statusListCredential"), entry.get("statusListIndex")
        key = (url, index) if isinstance(url, str) and isinstance(index, str) else None
        if key is not None:
            known = self._parsed.get(key)
            if known is not None and known[0] == entry:
                return known[1]
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
            return list_error(exc, short(entry.get("statusListCredential")))
        if key is not None and all(type(value) is str for value in entry.values()):
            with self._lock:
                if len(self._parsed) >= _MAX_PARSED_ENTRIES:
                    self._parsed.clear()
                self._parsed[key] = (dict(entry), parsed)
        return parsed

    @staticmethod
    def _unsupported(types: list[str]) -> CheckResult | None:
        if _BITSTRING_ENTRY not in types:
            return CheckResult.warning(
                "status.unsupported",
                f"the status entry type {short(types)} is not supported: its status was not checked",
                type=list(types),
            )
        return None

    def _note(self, result: CheckResult) -> None:
        self._notes.setdefault(threading.get_ident(), []).append(result)

    def _read(
        self, entry: JSONObject, parsed: StatusEntry, status_list: StatusList, age: float | None
    ) -> CheckResult:
        """The entry's bit read from the list, as a result; kept while its words hold.

        A parsed entry stands for one content of the entry (`_parse`), so the same
        entry, list and cache age (in the tenths of a second it reports) give the same
        result: a warm check hands back the one it made.
        """
        # Tenths as an int, rounded half up: round(age, 1) is a decimal conversion.
        tenths = -1 if age is None else int(age * 10 + 0.5)
        key = (id(parsed), id(status_list))
        kept = self._read_results.get(key)
        if kept is not None and kept[0] is parsed and kept[1] is status_list and kept[2] == tenths:
            return kept[3]
        result = self._read_bit(entry, parsed, status_list, None if age is None else tenths / 10)
        with self._lock:
            if len(self._read_results) >= _MAX_PARSED_ENTRIES:
                self._read_results.clear()
            self._read_results[key] = (parsed, status_list, tenths, result)
        return result

    def _read_bit(
        self, entry: JSONObject, parsed: StatusEntry, status_list: StatusList, age: float | None
    ) -> CheckResult:
        # `age`: seconds, to the tenth.
        url = parsed.list_url
        try:
            value = status_list.bitstring.get(parsed.index)
        except StatusListError as exc:
            return list_error(exc, url)
        purpose = parsed.purpose
        details: dict[str, JSONValue] = {"purpose": purpose, "list": url, "index": parsed.index}
        if age is not None:
            details["cache_age_s"] = age
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
                text += f": {short(message, 200)}"
                details["statusMessage"] = message
            return CheckResult(check_id, Status.FAILED, text, details)
        words = _UNSET.get(purpose) or f"{purpose} status not set"
        text = f"{words} (checked against the issuer's signed status list"
        text += f", cached {age:.0f} s ago)" if age is not None else ")"
        return CheckResult(f"status.{purpose}", Status.PASSED, text, details)

"""The issuer's status lists: allocating entries, revoking, suspending, publishing.

Each badge a wallet with a base URL issues gets one entry in a revocation list
and one in a suspension list (``BitstringStatusListEntry``). The lists hold
131,072 entries each and the index is drawn at random among the free ones, so a
list tells an observer nothing about issue order (herd privacy, the "Decoy
Values" of the specification's privacy section). An index, once allocated, is
never handed out again: the ``status_allocations`` primary key forbids it.

Allocation runs inside the caller's :meth:`~wallet.store.Store.transaction`
together with storing the badge, so a crash before signing rolls both back
(SECURITY.md W11). A status change flips the bit and re-signs the list in one
transaction: a killed ``laurel revoke`` leaves the old list or the new one (W05).

    >>> list_url("https://issuer.example/", "revocation", 1)
    'https://issuer.example/status/revocation/1'
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import secrets
from pathlib import Path
from random import Random
from typing import Final

from vc.keys import Ed25519KeyPair
from vc.proofs import add_proof
from vc.status import MIN_ENTRIES, Bitstring, build_list_credential, status_entry
from vc.timestamps import format_datetime_stamp
from vc.types import JSONObject
from wallet.atomic import write_atomic
from wallet.errors import WalletError
from wallet.home import Identity, Wallet
from wallet.store import StatusListRow, Store

__all__ = [
    "LIST_ENTRIES",
    "LIST_TTL_MS",
    "PURPOSES",
    "NoStatusListError",
    "StatusChangeRefusedError",
    "allocate_entries",
    "list_url",
    "publish",
    "published_lists",
    "set_status",
    "sign_unsigned_lists",
]

#: The purposes every issued badge gets an entry for, in `credentialStatus` order.
PURPOSES: Final = ("revocation", "suspension")
#: Entries per list: the specification's minimum, for herd privacy.
LIST_ENTRIES: Final = MIN_ENTRIES
#: How long verifiers may cache a list (the list credential's `ttl`), in milliseconds.
LIST_TTL_MS: Final = 300_000
#: The suite lists are signed with (the one Open Badges 3.0 certification accepts).
LIST_SUITE: Final = "eddsa-rdfc-2022"
# Random draws before falling back to a scan of the free indexes of a nearly full list.
_PROBES: Final = 32


class StatusChangeRefusedError(WalletError):
    """A status change that cannot be made (a revocation is final)."""

    hint = "A revoked badge stays revoked; issue a new badge if it was revoked by mistake."


class NoStatusListError(WalletError):
    """The credential has no status entry of that purpose in this wallet."""

    hint = (
        "Only badges issued by a wallet created with --base-url have status lists; "
        "such a badge cannot be revoked or suspended."
    )


def list_url(base_url: str, purpose: str, number: int) -> str:
    """The URL of list `number` (from 1) of `purpose` under `base_url`."""
    return f"{base_url.rstrip('/')}/status/{purpose}/{number}"


def _list_id(purpose: str, number: int) -> str:
    return f"{purpose}/{number}"


def _number(row: StatusListRow) -> int:
    return int(row.list_id.rpartition("/")[2])


def _new_list(store: Store, base_url: str, purpose: str, number: int) -> StatusListRow:
    list_id, url = _list_id(purpose, number), list_url(base_url, purpose, number)
    bits = Bitstring.new(LIST_ENTRIES).to_bytes()
    store.add_status_list(list_id, purpose=purpose, url=url, entries=LIST_ENTRIES, bits=bits)
    return StatusListRow(list_id, purpose, url, LIST_ENTRIES, bits, None)


def _free_index(store: Store, row: StatusListRow, rng: Random) -> int | None:
    """A random never-allocated index of `row`, or None when the list is full."""
    for _ in range(_PROBES):
        candidate = rng.randrange(row.entries)
        if not store.status_index_used(row.list_id, row.purpose, candidate):
            return candidate
    used = store.status_indexes_used(row.list_id, row.purpose)
    if len(used) >= row.entries:
        return None
    free = [i for i in range(row.entries) if i not in used]
    return rng.choice(free)


def allocate_entries(
    store: Store,
    base_url: str,
    credential_id: str,
    rng: Random | None = None,
) -> list[JSONObject]:
    """Allocate a revocation and a suspension entry to `credential_id`; return both entries.

    Call it inside the caller's ``store.transaction()``, the one that stores the
    credential, so both commit or neither does. Allocating again for the same
    credential gives back the same entries (a re-run signs with the same indexes).
    A list created here is stored unsigned: sign it with :func:`sign_unsigned_lists`
    before the transaction ends.

    Args:
        store: the wallet's database, inside a transaction.
        base_url: the wallet's base URL; lists live under ``BASE/status/PURPOSE/N``.
        credential_id: the credential's `id`.
        rng: the source of random indexes (default: the system's CSPRNG).

    Raises:
        RuntimeError: called outside a transaction.
    """
    if not store.in_transaction:
        raise RuntimeError("allocate_entries must run inside the caller's store.transaction()")
    rng = rng if rng is not None else secrets.SystemRandom()
    entries: list[JSONObject] = []
    for purpose in PURPOSES:
        existing = store.status_allocation(credential_id, purpose)
        if existing is not None:
            list_id, index = existing
            row = store.status_list(list_id)
            if row is None:  # pragma: no cover - allocations are only made with their list
                raise WalletError(f"status list {list_id} is missing from the wallet")
            entries.append(status_entry(list_url=row.url, index=index, purpose=purpose))
            continue
        lists = store.status_lists(purpose)
        current = max(lists, key=_number) if lists else _new_list(store, base_url, purpose, 1)
        found = _free_index(store, current, rng)
        while found is None:
            current = _new_list(store, base_url, purpose, _number(current) + 1)
            found = _free_index(store, current, rng)
        store.add_status_allocation(current.list_id, purpose, found, credential_id)
        entries.append(status_entry(list_url=current.url, index=found, purpose=purpose))
    return entries


def _signed_list(
    key: Ed25519KeyPair, identity: Identity, row: StatusListRow, bits: bytes, now: dt.datetime
) -> str:
    stamp = format_datetime_stamp(now)
    unsigned = build_list_credential(
        list_url=row.url,
        issuer=identity.did,
        purpose=row.purpose,
        bitstring=Bitstring.from_bytes(bits),
        valid_from=stamp,
        ttl_ms=LIST_TTL_MS,
    )
    signed = add_proof(
        unsigned,
        key,
        identity.verification_method,
        cryptosuite=LIST_SUITE,
        proof_purpose="assertionMethod",
        created=stamp,
    )
    return json.dumps(signed, ensure_ascii=False, indent=2) + "\n"


def sign_unsigned_lists(
    store: Store, key: Ed25519KeyPair, identity: Identity, now: dt.datetime
) -> int:
    """Sign every list not signed yet (new ones); return how many were signed.

    Call it before the transaction that created them ends, so a list is never
    committed unsigned.
    """
    count = 0
    for row in store.status_lists():
        if row.signed_text is None:
            text = _signed_list(key, identity, row, row.bits, now)
            store.update_status_list(row.list_id, bits=row.bits, signed_text=text)
            count += 1
    return count


def set_status(
    wallet: Wallet,
    passphrase: str,
    credential_id: str,
    purpose: str,
    value: bool,
    *,
    reason: str | None = None,
    now: dt.datetime,
) -> bool:
    """Set (revoke, suspend) or clear (unsuspend) a credential's status; re-sign its list.

    The bit and the re-signed list are written in one transaction. Setting a
    status the credential already has changes nothing.

    Returns:
        True when the list changed, False when the credential already had that status.

    Raises:
        ValueError: `purpose` is neither revocation nor suspension.
        StatusChangeRefusedError: un-revoking (a revocation is final).
        CredentialNotFoundError: the wallet holds no credential `credential_id`.
        NoStatusListError: the credential was issued without a status list.
        WrongPassphraseError: the passphrase does not unlock the wallet's key.
    """
    if purpose not in PURPOSES:
        raise ValueError(f"unknown status purpose {purpose!r}; use one of {', '.join(PURPOSES)}")
    if purpose == "revocation" and not value:
        raise StatusChangeRefusedError(
            f"{credential_id} cannot be un-revoked: a revocation is final"
        )
    store = wallet.store
    store.get_credential(credential_id)  # CredentialNotFoundError before the passphrase
    key, identity = wallet.signing_key(passphrase), wallet.identity
    with store.transaction():
        allocation = store.status_allocation(credential_id, purpose)
        if allocation is None:
            raise NoStatusListError(
                f"{credential_id} was issued without a status list (no --base-url at init)"
            )
        list_id, index = allocation
        row = store.status_list(list_id)
        if row is None:  # pragma: no cover - allocations are only made with their list
            raise WalletError(f"status list {list_id} is missing from the wallet")
        bitstring = Bitstring.from_bytes(row.bits)
        changed = bitstring.get(index) != int(value) or row.signed_text is None
        bitstring.set(index, int(value))
        if changed:
            bits = bitstring.to_bytes()
            text = _signed_list(key, identity, row, bits, now)
            store.update_status_list(list_id, bits=bits, signed_text=text)
        store.set_credential_status(credential_id, purpose, value, reason)
    return changed


def _relative_path(url: str, base_url: str | None) -> str:
    if base_url and url.startswith(base_url.rstrip("/") + "/"):
        return url[len(base_url.rstrip("/")) + 1 :]
    # A list made under an earlier base URL: keep its path under the host.
    return url.split("://", 1)[-1].partition("/")[2]


def published_lists(store: Store) -> dict[str, str]:
    """The signed lists to publish: path relative to the base URL -> list credential JSON."""
    base_url = store.get_setting("base_url")
    return {
        _relative_path(row.url, base_url): row.signed_text
        for row in store.status_lists()
        if row.signed_text is not None
    }


def publish(wallet: Wallet, out_dir: Path) -> list[Path]:
    """Write every signed list under `out_dir` (each file replaced atomically); return the files.

    Temporary files a killed earlier run left beside a list are removed.

    Copy `out_dir` to the web host serving the base URL: ``status/revocation/1``
    there answers ``BASE/status/revocation/1``.

    Raises:
        WalletError: a file could not be written.
    """
    written: list[Path] = []
    root = out_dir.resolve()
    for relative, text in sorted(published_lists(wallet.store).items()):
        path = (root / relative).resolve()
        if not path.is_relative_to(root) or path == root:
            raise WalletError(f"status list path {relative!r} leaves {out_dir}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WalletError(f"cannot create {path.parent}: {exc.strerror}") from exc
        write_atomic(path, text.encode("utf-8"), mode=0o644)
        _sweep_temporaries(path)
        written.append(path)
    return written


def _sweep_temporaries(path: Path) -> None:
    # A publish killed mid-write leaves write_atomic's ".NAME.HEX.tmp" beside the list;
    # it must not be copied to the web host with the folder.
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        if _TEMPORARY.fullmatch(stale.name[len(path.name) + 2 :]):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()


_TEMPORARY = re.compile(r"[0-9a-f]{16}\.tmp")

"""Offers in the wallet's SQLite file: single use across processes, PINs counted, expiry, nonces."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from pathlib import Path

import pytest

from wallet.home import Wallet
from wallet.offers import MAX_PIN_FAILURES, OfferBook, OfferError

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def book(tmp_wallet: Wallet) -> OfferBook:
    return OfferBook(tmp_wallet.store.path)


def _redeem(path: str, code: str, pin: str, results: multiprocessing.Queue) -> None:
    try:
        OfferBook(Path(path)).redeem(code, pin, now=NOW)
        results.put("won")
    except OfferError as exc:
        results.put(exc.error)


def test_v01_two_processes_redeeming_one_code_only_one_wins(
    book: OfferBook, tmp_wallet: Wallet
) -> None:
    made = book.create("urn:uuid:b1", ["c"], now=NOW)
    results: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(
            target=_redeem, args=(str(tmp_wallet.store.path), made.code, made.pin, results)
        )
        for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    outcomes = sorted(results.get(timeout=10) for _ in workers)
    assert outcomes == ["invalid_grant", "invalid_grant", "invalid_grant", "won"]


def test_v01_wrong_pins_burn_the_offer(book: OfferBook) -> None:
    made = book.create("urn:uuid:b1", ["c"], now=NOW)
    for attempt in range(MAX_PIN_FAILURES):
        with pytest.raises(OfferError) as caught:
            book.redeem(made.code, "x" + made.pin, now=NOW)
        assert caught.value.error == "invalid_grant"
        assert ("burned" in caught.value.message) == (attempt == MAX_PIN_FAILURES - 1)
    with pytest.raises(OfferError, match="burned"):
        book.redeem(made.code, made.pin, now=NOW)


def test_expired_offer_and_missing_pin(book: OfferBook) -> None:
    made = book.create("urn:uuid:b1", ["c"], now=NOW, ttl=dt.timedelta(minutes=1))
    with pytest.raises(OfferError) as caught:
        book.redeem(made.code, None, now=NOW)
    assert caught.value.error == "invalid_request"
    with pytest.raises(OfferError, match="expired"):
        book.redeem(made.code, made.pin, now=NOW + dt.timedelta(minutes=2))


def test_token_claims_once_and_a_failed_issue_can_be_retried(book: OfferBook) -> None:
    made = book.create("urn:uuid:b1", ["c"], now=NOW)
    token = book.redeem(made.code, made.pin, now=NOW).access_token
    offer_id, credential_id, configurations = book.claim(token, now=NOW)
    assert (credential_id, configurations) == ("urn:uuid:b1", ("c",))
    with pytest.raises(OfferError):
        book.claim(token, now=NOW)
    book.finish(offer_id, None)  # issuing failed: the token may try again
    book.claim(token, now=NOW)
    book.finish(offer_id, "urn:uuid:issued")
    with pytest.raises(OfferError) as caught:
        book.claim(token, now=NOW)
    assert caught.value.error == "invalid_token"


def test_secrets_are_not_stored_in_clear(book: OfferBook, tmp_wallet: Wallet) -> None:
    made = book.create("urn:uuid:b1", ["c"], now=NOW)
    token = book.redeem(made.code, made.pin, now=NOW).access_token
    raw = tmp_wallet.store.path.read_bytes()
    assert made.code.encode() not in raw
    assert token.encode() not in raw
    assert made.pin not in repr(made)


def test_nonces_are_single_use_and_expire(book: OfferBook) -> None:
    nonce = book.new_nonce(now=NOW)
    assert book.use_nonce(nonce, now=NOW)
    assert not book.use_nonce(nonce, now=NOW)
    late = book.new_nonce(now=NOW)
    assert not book.use_nonce(late, now=NOW + dt.timedelta(hours=1))


def test_kill_9_during_a_redemption_leaves_the_offer_to_be_claimed_again(
    book: OfferBook, tmp_wallet: Wallet
) -> None:
    # A worker killed between claiming the offer and recording the badge: the claim
    # holds the offer for CLAIM_TTL (a second request cannot issue it meanwhile), then
    # lapses, and the holder's token fetches the badge.
    import os
    import signal
    import subprocess
    import sys

    from tests.conftest import REPO
    from wallet.offers import CLAIM_TTL

    made = book.create("urn:uuid:b1", ["c"], now=NOW)
    token = book.redeem(made.code, made.pin, now=NOW).access_token
    script = (
        "import datetime as dt, os, signal, sys\n"
        "from pathlib import Path\n"
        "from wallet.offers import OfferBook\n"
        "now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)\n"
        "OfferBook(Path(sys.argv[1])).claim(sys.argv[2], now=now)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_wallet.store.path), token],
        cwd=REPO,
        env={**os.environ},
        capture_output=True,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL
    with pytest.raises(OfferError) as caught:
        book.claim(token, now=NOW + dt.timedelta(seconds=5))
    assert caught.value.error == "invalid_token"
    later = NOW + CLAIM_TTL + dt.timedelta(seconds=1)
    offer_id, credential_id, _ = book.claim(token, now=later)
    assert credential_id == "urn:uuid:b1"
    book.finish(offer_id, "urn:uuid:issued")
    with pytest.raises(OfferError):
        book.claim(token, now=later)

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

"""W06: two `laurel issue` processes on the same wallet at once.

They take turns (SQLite BEGIN IMMEDIATE with a busy timeout): every badge of both is
stored, and no status index is handed out twice.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from tests.wallet.conftest import ACHIEVEMENT, PASSPHRASE
from wallet.home import Wallet
from wallet.keystore import KdfParams

NOW_ISO = "2026-03-01T12:00:00+00:00"


def _issue_many(home: str, who: str, count: int) -> list[str]:
    import datetime as dt
    import json

    from wallet.issuer import IssueOptions, issue_badge, load_achievement

    issued = []
    with Wallet.open(Path(home)) as wallet:
        for n in range(count):
            stored = issue_badge(
                wallet,
                PASSPHRASE,
                load_achievement(json.dumps(ACHIEVEMENT).encode()),
                f"did:example:{who}-{n}",
                IssueOptions(now=dt.datetime.fromisoformat(NOW_ISO)),
            )
            issued.append(str(stored.document["id"]))
    return issued


def test_w06_concurrent_issuers_take_turns(tmp_path: Path) -> None:
    home = tmp_path / "issuer"
    Wallet.create(
        home,
        name="Riverside",
        passphrase=PASSPHRASE,
        base_url="https://issuer.example",
        kdf=KdfParams.for_tests(),
    ).close()
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        runs = pool.starmap(_issue_many, [(str(home), "a", 15), (str(home), "b", 15)])
    ids = [credential for run in runs for credential in run]
    assert len(ids) == len(set(ids)) == 30
    with Wallet.open(home) as wallet:
        rows = wallet.store._conn.execute(
            "SELECT list_id, purpose, idx, count(*) FROM status_allocations"
            " GROUP BY list_id, purpose, idx"
        ).fetchall()
        assert len(rows) == 60  # a revocation and a suspension entry per badge
        assert {row[3] for row in rows} == {1}
        assert wallet.store._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert wallet.store.count_credentials() == 30

"""W11: kill -9 after a badge's status entries are allocated, before it is signed.

Allocation, signing and storing are one transaction: the crash leaves neither the
allocation nor a badge, so no index is bound to a badge that does not exist, and the
re-run issues a badge whose indexes are unique.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.wallet.conftest import PASSPHRASE
from wallet.home import Wallet
from wallet.keystore import KdfParams

REPO = Path(__file__).resolve().parents[2]

_KILL_ME = textwrap.dedent(
    """
    import datetime as dt, json, sys, time
    from pathlib import Path
    import wallet.issuer as issuer
    from tests.wallet.conftest import ACHIEVEMENT

    real_sign = issuer.sign_checked

    def stalled(*args, **kwargs):
        # The entries are allocated (inside the open transaction); signing never ends.
        print("allocated", flush=True)
        time.sleep(60)
        return real_sign(*args, **kwargs)

    issuer.sign_checked = stalled
    with issuer.Wallet.open(Path(sys.argv[1])) as wallet:
        issuer.issue_badge(
            wallet, sys.argv[2], issuer.load_achievement(json.dumps(ACHIEVEMENT).encode()),
            "did:example:ana",
            issuer.IssueOptions(now=dt.datetime(2026, 3, 1, tzinfo=dt.UTC)),
        )
    """
)


def test_w11_crash_before_signing_leaves_no_allocation(tmp_path: Path) -> None:
    home = tmp_path / "issuer"
    Wallet.create(
        home,
        name="Riverside",
        passphrase=PASSPHRASE,
        base_url="https://issuer.example",
        kdf=KdfParams.for_tests(),
    ).close()
    script = tmp_path / "kill_me.py"
    script.write_text(_KILL_ME, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, str(script), str(home), PASSPHRASE],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=REPO,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == b"allocated"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()
    with Wallet.open(home) as wallet:
        count = wallet.store._conn.execute("SELECT count(*) FROM status_allocations").fetchone()
        assert count[0] == 0
        assert wallet.store.count_credentials() == 0
    # The re-run completes, with its own, unique indexes.
    from tests.attacks.test_w06_two_issuers_at_once import _issue_many

    assert len(_issue_many(str(home), "ana", 2)) == 2
    with Wallet.open(home) as wallet:
        rows = wallet.store._conn.execute(
            "SELECT count(*), count(DISTINCT purpose || idx) FROM status_allocations"
        ).fetchone()
        assert rows[0] == rows[1] == 4

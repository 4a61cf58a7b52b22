"""W05 (status lists): kill -9 at random moments while `laurel status publish` writes.

A child suspends and unsuspends a badge over and over, publishing the lists after
each change. Killed at random moments, the published folder always holds complete,
correctly signed lists (each file is replaced atomically: the old list or the new,
never half of one), and the next publish completes and sweeps the temporary files a
killed run left behind.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.wallet.conftest import ACHIEVEMENT, PASSPHRASE
from vc.jsontext import parse_document
from vc.proofs import proofs_of, verify_signature
from wallet.home import Wallet
from wallet.issuer import IssueOptions, issue_badge, load_achievement
from wallet.keystore import KdfParams
from wallet.status import publish

REPO = Path(__file__).resolve().parents[2]

_PUBLISHER = textwrap.dedent(
    """
    import datetime as dt, sys
    from pathlib import Path
    from wallet.home import Wallet
    from wallet.status import publish, set_status

    home, passphrase, credential, out = Path(sys.argv[1]), sys.argv[2], sys.argv[3], Path(sys.argv[4])
    now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    with Wallet.open(home) as wallet:
        print("ready", flush=True)
        for n in range(10_000):
            now += dt.timedelta(seconds=1)
            set_status(wallet, passphrase, credential, "suspension", n % 2 == 0, now=now)
            publish(wallet, out)
    """
)


def _check_published(wallet: Wallet, out: Path) -> None:
    key = wallet.signing_key(PASSPHRASE).public_key
    lists = [p for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert len(lists) == 2  # status/revocation/1 and status/suspension/1
    for path in lists:
        document = parse_document(path.read_bytes())
        [proof] = proofs_of(document)
        assert verify_signature(document, proof, key).valid, path


@pytest.mark.slow
def test_w05_kill_during_publish_leaves_whole_lists(tmp_path: Path) -> None:
    import datetime as dt

    home, out = tmp_path / "issuer", tmp_path / "site"
    wallet = Wallet.create(
        home,
        name="Riverside",
        passphrase=PASSPHRASE,
        base_url="https://issuer.example",
        kdf=KdfParams.for_tests(),
    )
    stored = issue_badge(
        wallet, PASSPHRASE, load_achievement(json.dumps(ACHIEVEMENT).encode()), "did:example:ana",
        IssueOptions(now=dt.datetime(2026, 3, 1, tzinfo=dt.UTC)),
    )  # fmt: skip
    publish(wallet, out)
    wallet.close()
    script = tmp_path / "publisher.py"
    script.write_text(_PUBLISHER, encoding="utf-8")
    chooser = random.Random(20260301)  # noqa: S311 (when to kill, not a secret)
    leftovers = 0
    for _trial in range(12):
        process = subprocess.Popen(
            [
                sys.executable,
                str(script),
                str(home),
                PASSPHRASE,
                str(stored.document["id"]),
                str(out),
            ],
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            cwd=REPO,
        )
        try:
            assert process.stdout is not None
            assert process.stdout.readline().strip() == b"ready"
            time.sleep(chooser.uniform(0.05, 0.8))
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            if process.stdout is not None:
                process.stdout.close()
        with Wallet.open(home) as reopened:
            _check_published(reopened, out)
        leftovers += len(list(out.rglob(".*.tmp")))
    with Wallet.open(home) as reopened:
        publish(reopened, out)  # the next run completes and sweeps what a killed one left
        _check_published(reopened, out)
    assert list(out.rglob(".*.tmp")) == []
    print(f"kill -9 during publish: 12 trials, {leftovers} temporary files left and swept")

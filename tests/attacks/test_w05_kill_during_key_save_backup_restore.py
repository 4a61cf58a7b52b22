"""W05 (keys, backups, restores): kill -9 at seeded moments during key save, backup, restore.

Each test runs the real `laurel` command on real SQLite and keystore files and kills it
with SIGKILL, for a bounded number of trials:

- at seeded random times spread over a whole run (start-up, Argon2id, the writes), and
- aimed at the writes themselves: a ``sitecustomize`` in the child stops it (SIGSTOP)
  just before its K-th call of one of the file operations below, the steps by which a
  file is written, flushed, renamed or removed; the test kills it there. The K are
  drawn from the calls a first, complete run made (`Harness.trace`).

After each kill the test checks what a user needs: the wallet opens with every badge
and key it had (a passphrase change: exactly one of the two passphrases opens all the
keys; a new key: there whole or absent); a backup target holds nothing, or a whole,
restorable backup, and an earlier backup is never touched; a restored home is the old
wallet (or none) or the whole restored one, never a mix; and the command run again
completes.

What they found, and what changed: `laurel restore` killed between its renames left a
database without its keystore (with ``--force``, the old wallet set aside and none in
its place), and `laurel init` a keystore without a database, which refused the re-run;
both now build the new wallet in a staging folder and put it in place all at once
(wallet/_install.py). A killed backup left a plain copy of wallet.db in the home (the
snapshot is now taken in memory), and killed keystore and backup writes their
temporary files, which nothing removed (the next write of that file now sweeps them).
"""

from __future__ import annotations

import collections
import json
import os
import random
import shutil
import signal
import subprocess
import textwrap
import time
from collections.abc import Iterable
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.service_tools import LAUREL
from tests.wallet.conftest import ACHIEVEMENT, PASSPHRASE
from vc.keys import Ed25519KeyPair
from wallet._install import STAGING
from wallet.atomic import write_atomic
from wallet.backup import write_backup
from wallet.errors import WalletNotFoundError, WrongPassphraseError
from wallet.home import ANCHORING_KEY, DATABASE_FILE, KEYSTORE_FILE, SIGNING_KEY, Wallet
from wallet.issuer import IssueOptions, issue_badge, load_achievement
from wallet.keystore import KdfParams, Keystore
from wallet.restore import restore_wallet
from wallet.store import Store

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

NEW_PASSPHRASE = "a different passphrase, changed"
#: The file operations a child is stopped before (os.<name>).
WATCHED = ("write", "fsync", "replace", "rename", "link", "unlink", "mkdir", "rmdir")

_SITECUSTOMIZE = textwrap.dedent(
    f"""
    import os, signal
    _stop = int(os.environ.get("LAUREL_TEST_STOP_AT") or 0)
    _trace = os.environ.get("LAUREL_TEST_TRACE")
    if _stop or _trace:
        _calls = [0]

        def _watch(name, real):
            def watched(*args, **kwargs):
                _calls[0] += 1
                if _trace:
                    paths = [os.path.basename(a) for a in args if isinstance(a, (str, os.PathLike))]
                    with open(_trace, "a", encoding="utf-8") as log:
                        log.write(" ".join([name, *map(str, paths)]) + "\\n")
                if _calls[0] == _stop:
                    os.kill(os.getpid(), signal.SIGSTOP)
                return real(*args, **kwargs)

            return watched

        for _name in {WATCHED!r}:
            setattr(os, _name, _watch(_name, getattr(os, _name)))
    """
)


class Harness:
    """Runs one `laurel` command to completion, or kills it at a chosen moment."""

    def __init__(self, tmp_path: Path, seed: int) -> None:
        hooks = tmp_path / "hooks"
        hooks.mkdir()
        (hooks / "sitecustomize.py").write_text(_SITECUSTOMIZE, encoding="utf-8")
        self.tmp = tmp_path
        self.rng = random.Random(seed)  # noqa: S311 (when to kill, not a secret)
        self.base_env = {
            **os.environ,
            "LAUREL_PASSPHRASE": PASSPHRASE,
            "LAUREL_HOME": str(tmp_path / "no-default-wallet"),
            "PYTHONPATH": os.pathsep.join([str(hooks), str(REPO)]),
        }
        self.base_env.pop("LAUREL_ETH_PRIVATE_KEY", None)  # the keystore's anchoring key
        self.log: collections.Counter[str] = collections.Counter()

    def env(self, **extra: str) -> dict[str, str]:
        return {**self.base_env, **extra}

    def run(self, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [LAUREL, *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )

    def trace(self, args: list[str], env: dict[str, str]) -> tuple[list[str], float]:
        """Run to completion: the watched calls it made, and how long it took."""
        log = self.tmp / "trace.log"
        log.unlink(missing_ok=True)
        started = time.monotonic()
        done = self.run(args, {**env, "LAUREL_TEST_TRACE": str(log)})
        took = time.monotonic() - started
        assert done.returncode == 0, done.stderr
        return log.read_text(encoding="utf-8").splitlines(), took

    def plan(
        self,
        calls: list[str],
        took: float,
        *,
        aimed: int,
        timed: int,
        every_from: str | None = None,
    ) -> list[tuple[str, float]]:
        """Where to kill: `aimed` watched calls (the last one always), `timed` moments.

        With `every_from`, the kill is aimed at every call from the write of that file
        (the commit point of an install) on, and `aimed` more are drawn before it.
        """
        last = len(calls)
        picked = {last}
        if every_from is not None:
            commit = next(i for i, c in enumerate(calls, 1) if c.endswith(f" {every_from}"))
            picked |= set(range(commit - 2, last + 1))  # from its write on
            picked |= set(self.rng.sample(range(1, commit - 2), min(aimed, commit - 3)))
        else:
            picked |= set(self.rng.sample(range(1, last), min(aimed - 1, last - 1)))
        kills = [("call", float(k)) for k in sorted(picked)]
        # Early (start-up, Argon2id), late (the writes come last) and anywhere.
        spans = [(0.0, 0.15 * took), (0.8 * took, 1.05 * took), (0.0, took)]
        kills += [("time", self.rng.uniform(*spans[i % 3])) for i in range(timed)]
        return kills

    def kill(self, args: list[str], env: dict[str, str], at: tuple[str, float]) -> bool:
        """Start the command and SIGKILL it at `at`; whether it was still running."""
        how, when = at
        child_env = {**env, "LAUREL_TEST_STOP_AT": str(int(when))} if how == "call" else env
        child = subprocess.Popen(
            [LAUREL, *args], env=child_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            if how == "call":
                running = _wait_until_stopped(child.pid)
            else:
                time.sleep(when)
                running = child.poll() is None
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
        self.log["killed" if running else "finished first"] += 1
        return running


def _wait_until_stopped(pid: int) -> bool:
    """Wait for the child to stop (True) or exit (False), leaving it to be reaped."""
    deadline = time.monotonic() + 60
    flags = os.WEXITED | os.WSTOPPED | os.WNOWAIT | os.WNOHANG
    while time.monotonic() < deadline:
        seen = os.waitid(os.P_PID, pid, flags)
        if seen is not None:
            return seen.si_code in (os.CLD_STOPPED, os.CLD_TRAPPED)
        time.sleep(0.002)
    raise AssertionError("the child neither stopped nor exited")


# -- wallets --------------------------------------------------------------------------------

Contents = tuple[list[str], dict[str, bytes]]


def new_wallet(home: Path, name: str, badges: int) -> Contents:
    """A wallet at the test cost of Argon2id with `badges` issued badges; its contents."""
    achievement = load_achievement(json.dumps(ACHIEVEMENT).encode())
    with Wallet.create(home, name=name, passphrase=PASSPHRASE, kdf=KdfParams.for_tests()) as w:
        for i in range(badges):
            issue_badge(w, PASSPHRASE, achievement, f"did:example:{name}-{i}", IssueOptions())
    found = contents(home)
    assert found is not None
    return found


def secrets_in(keystore: Path, passphrase: str = PASSPHRASE) -> dict[str, bytes] | None:
    """The keys sealed in `keystore`; None when `passphrase` does not open it."""
    try:
        opened = Keystore.open(keystore, passphrase)
    except WrongPassphraseError:
        return None
    return {name: opened.secret(name) for name in opened.names()}


def contents(home: Path, passphrase: str = PASSPHRASE) -> Contents | None:
    """The badges and keys of the wallet at `home`, as `laurel` opens it; None: no wallet.

    Whatever a kill left, the wallet opens (or is plainly absent: no keystore either),
    and only the wallet's own files, the ones set aside and hidden temporaries are left.
    """
    try:
        wallet = Wallet.open(home)
    except WalletNotFoundError:
        assert not (home / KEYSTORE_FILE).exists()
        found = None
    else:
        with wallet:
            ids = sorted(c.id for c in wallet.store.list_credentials())
            keys = wallet.unlock(passphrase)
            found = ids, {name: keys.secret(name) for name in keys.names()}
    assert not (home / STAGING).exists()  # a staged install was finished or dropped
    if home.exists():
        strays(home, [p.name for p in home.iterdir() if p.name.split(".")[0] in WALLET_NAMES])
    return found


WALLET_NAMES = {"keystore", "wallet", "chain"}


def kept_aside(home: Path) -> Contents:
    """The wallet `init --force` or `restore --force` set aside as *.bak in `home`."""
    [database] = home.glob(f"{DATABASE_FILE}.*.bak")
    [keystore] = home.glob(f"{KEYSTORE_FILE}.*.bak")
    with Store.open(database) as store:
        ids = sorted(c.id for c in store.list_credentials())
    keys = secrets_in(keystore)
    assert keys is not None
    return ids, keys


def strays(folder: Path, known: Iterable[str]) -> list[str]:
    """Files in `folder` other than `known`: each must be a hidden temporary file."""
    names = sorted(p.name for p in folder.iterdir() if p.name not in set(known))
    assert all(n.startswith(".") and n.endswith(".tmp") for n in names), names
    return names


# -- key save -------------------------------------------------------------------------------


def test_w05_kill_9_during_key_save_passwd_one_passphrase_opens_every_key(tmp_path: Path) -> None:
    h = Harness(tmp_path, seed=5001)
    home = tmp_path / "issuer"
    before = new_wallet(home, "Riverside", badges=1)
    keystore = home / KEYSTORE_FILE
    original = keystore.read_bytes()
    args = ["passwd", "--home", str(home)]
    env = h.env(LAUREL_NEW_PASSPHRASE=NEW_PASSPHRASE)
    calls, took = h.trace(args, env)
    assert secrets_in(keystore, NEW_PASSPHRASE) == before[1]
    outcomes: collections.Counter[str] = collections.Counter()
    for at in h.plan(calls, took, aimed=4, timed=5):
        write_atomic(keystore, original)  # each trial starts from the old passphrase
        h.kill(args, env, at)
        with Wallet.open(home) as wallet:
            assert sorted(c.id for c in wallet.store.list_credentials()) == before[0]
        opened = {p: secrets_in(keystore, p) for p in (PASSPHRASE, NEW_PASSPHRASE)}
        opening = [p for p, keys in opened.items() if keys is not None]
        assert len(opening) == 1, f"{at}: {len(opening)} passphrases open the keystore"
        assert opened[opening[0]] == before[1], at  # every key, whole
        outcomes["old passphrase" if opening == [PASSPHRASE] else "new passphrase"] += 1
        strays(home, [KEYSTORE_FILE, DATABASE_FILE])
    # Run again from what the last kill left, it completes and sweeps the temporary files.
    rerun_env = h.env(LAUREL_PASSPHRASE=opening[0], LAUREL_NEW_PASSPHRASE=NEW_PASSPHRASE * 2)
    rerun = h.run(args, rerun_env)
    assert rerun.returncode == 0, rerun.stderr
    assert secrets_in(keystore, NEW_PASSPHRASE * 2) == before[1]
    assert strays(home, [KEYSTORE_FILE, DATABASE_FILE]) == []
    print(f"kill -9 during passwd: {dict(h.log)}, {dict(outcomes)}")


def test_w05_kill_9_during_key_save_of_a_new_key_keeps_it_whole_or_absent(
    tmp_path: Path,
) -> None:
    from eth_account import Account

    h = Harness(tmp_path, seed=5002)
    home = tmp_path / "issuer"
    before = new_wallet(home, "Riverside", badges=1)
    # A keystore as laurel wrote it before anchoring: the signing key alone. The
    # anchoring key is made and sealed by the first command that needs it.
    keystore = home / KEYSTORE_FILE
    seed = before[1][SIGNING_KEY]
    keystore.unlink()
    Keystore.create(keystore, PASSPHRASE, {SIGNING_KEY: seed}, kdf=KdfParams.for_tests())
    original = keystore.read_bytes()
    args = ["anchor", "--account", "--home", str(home)]
    env = h.env()
    calls, took = h.trace(args, env)
    outcomes: collections.Counter[str] = collections.Counter()
    for at in h.plan(calls, took, aimed=4, timed=4):
        write_atomic(keystore, original)
        h.kill(args, env, at)
        found = contents(home)
        assert found is not None
        assert found[0] == before[0]
        keys = found[1]
        assert keys[SIGNING_KEY] == seed
        assert sorted(keys) in ([SIGNING_KEY], sorted([SIGNING_KEY, ANCHORING_KEY])), at
        outcomes["new key saved" if ANCHORING_KEY in keys else "absent"] += 1
    rerun = h.run(args, env)
    assert rerun.returncode == 0, rerun.stderr
    keys = secrets_in(keystore) or {}
    assert keys[SIGNING_KEY] == seed
    assert rerun.stdout.strip() == Account.from_key(keys[ANCHORING_KEY]).address
    assert strays(home, [KEYSTORE_FILE, DATABASE_FILE]) == []
    print(f"kill -9 while saving a new key: {dict(h.log)}, {dict(outcomes)}")


def test_w05_kill_9_during_key_save_at_init_leaves_no_half_wallet(tmp_path: Path) -> None:
    h = Harness(tmp_path, seed=5003)
    old = tmp_path / "old-wallet"
    before = new_wallet(old, "Old", badges=1)
    home = tmp_path / "issuer"
    fresh = ["init", "--name", "New", "--home", str(home)]
    forced = [*fresh, "--force"]
    env = h.env()
    kills = [(False, at) for at in h.plan(*h.trace(fresh, env), aimed=3, timed=2)]
    shutil.copytree(old, home, dirs_exist_ok=True)
    kills += [(True, at) for at in h.plan(*h.trace(forced, env), aimed=4, timed=3)]
    outcomes: collections.Counter[str] = collections.Counter()
    for force, at in kills:
        shutil.rmtree(home, ignore_errors=True)
        if force:
            shutil.copytree(old, home)
        command = forced if force else fresh
        h.kill(command, env, at)
        found = contents(home)
        outcome = "as it was" if found is None or found == before else "new wallet"
        outcomes[f"{'--force' if force else 'fresh home'}: {outcome}"] += 1
        if outcome == "as it was":
            assert found == (before if force else None), f"{at}: the old wallet is gone"
            if outcomes[f"{'--force' if force else 'fresh home'}: {outcome}"] > 1:
                continue  # the re-run below is the same each time: once per mode
            rerun = h.run(command, env)  # the command run again completes
            assert rerun.returncode == 0, rerun.stderr
            found = contents(home)
        assert found is not None
        assert found[0] == []
        assert sorted(found[1]) == sorted([ANCHORING_KEY, SIGNING_KEY])  # the new keys, whole
        with Wallet.open(home) as wallet:
            assert wallet.identity.name == "New"
            key = Ed25519KeyPair.from_seed(found[1][SIGNING_KEY]).public_key.multibase
            assert wallet.identity.verification_method.endswith(key)
        if force:
            assert kept_aside(home) == before  # the old keys still open, set aside
    print(f"kill -9 during init: {dict(h.log)}, {dict(outcomes)}")


# -- backup ---------------------------------------------------------------------------------


def test_w05_kill_9_during_backup_leaves_no_partial_backup(tmp_path: Path) -> None:
    h = Harness(tmp_path, seed=5004)
    home = tmp_path / "issuer"
    before = new_wallet(home, "Riverside", badges=3)
    backups = tmp_path / "backups"
    backups.mkdir()
    target, earlier = backups / "wallet.laurel-backup", backups / "earlier.laurel-backup"
    keystore = (home / KEYSTORE_FILE).read_bytes()
    members = {KEYSTORE_FILE: keystore, DATABASE_FILE: b"not this one"}
    write_backup(earlier, PASSPHRASE, members, kdf=KdfParams.for_tests())
    earlier_bytes = earlier.read_bytes()
    env = h.env()
    calls, took = h.trace(["backup", str(target), "--home", str(home)], env)
    target.unlink()
    outcomes: collections.Counter[str] = collections.Counter()
    kills = [(at, False) for at in h.plan(calls, took, aimed=5, timed=4)]
    kills += [(at, True) for at in h.plan(calls, took, aimed=1, timed=2)]
    for trial, (at, onto_earlier) in enumerate(kills):
        h.kill(["backup", str(earlier if onto_earlier else target), "--home", str(home)], env, at)
        assert contents(home) == before  # the wallet is untouched
        assert strays(home, [KEYSTORE_FILE, DATABASE_FILE]) == []  # no copy of it left there
        assert earlier.read_bytes() == earlier_bytes  # an earlier backup is never touched
        if onto_earlier:
            outcomes["earlier backup kept"] += 1
        elif target.exists():  # then whole: restored, it is the wallet
            restored = tmp_path / f"restored{trial}"
            assert restore_wallet(target, restored, PASSPHRASE) == len(before[0])
            assert contents(restored) == before
            assert (restored / KEYSTORE_FILE).read_bytes() == keystore
            target.unlink()  # the next trial backs up to the same path
            outcomes["whole backup"] += 1
        else:
            outcomes["no backup"] += 1
        strays(backups, [target.name, earlier.name])
    left = strays(backups, [target.name, earlier.name])
    rerun = h.run(["backup", str(target), "--home", str(home)], env)
    assert rerun.returncode == 0, rerun.stderr
    assert target.exists()
    # What the killed backups to that path left beside it is swept by the one that completes.
    assert [n for n in strays(backups, [target.name, earlier.name]) if target.name in n] == []
    print(f"kill -9 during backup: {dict(h.log)}, {dict(outcomes)}, {len(left)} temporary left")


# -- restore --------------------------------------------------------------------------------


def test_w05_kill_9_during_restore_is_old_or_new_never_a_mix(tmp_path: Path) -> None:
    h = Harness(tmp_path, seed=5005)
    source, other = tmp_path / "source", tmp_path / "other"
    wanted = new_wallet(source, "Source", badges=3)
    previous = new_wallet(other, "Other", badges=2)
    archive = tmp_path / "source.laurel-backup"
    with Wallet.open(source) as wallet:
        members = {
            KEYSTORE_FILE: (source / KEYSTORE_FILE).read_bytes(),
            DATABASE_FILE: wallet.store.snapshot(),
        }
    write_backup(archive, PASSPHRASE, members, kdf=KdfParams.for_tests())
    home = tmp_path / "home"
    fresh = ["restore", str(archive), "--home", str(home)]
    forced = [*fresh, "--force"]
    env = h.env()
    kills = [(False, at) for at in h.plan(*h.trace(fresh, env), aimed=4, timed=2)]
    shutil.rmtree(home)
    shutil.copytree(other, home)
    forced_run = h.trace(forced, env)
    kills += [(True, at) for at in h.plan(*forced_run, aimed=3, timed=3, every_from="plan.json")]
    outcomes: collections.Counter[str] = collections.Counter()
    for force, at in kills:
        shutil.rmtree(home, ignore_errors=True)
        if force:
            shutil.copytree(other, home)
        command = forced if force else fresh
        h.kill(command, env, at)
        found = contents(home)
        if found == wanted:
            outcome = "restored"
        else:
            assert found == (previous if force else None), f"{at}: a mix of two wallets"
            if not force:  # none was there: none is there (an empty folder at most)
                assert not home.exists() or list(home.iterdir()) == []
            outcome = "as it was"
            rerun = h.run(command, env)  # the command run again completes
            assert rerun.returncode == 0, rerun.stderr
            assert contents(home) == wanted
        if force:
            assert kept_aside(home) == previous  # the replaced wallet is kept whole
        outcomes[f"{'--force' if force else 'fresh home'}: {outcome}"] += 1
    print(f"kill -9 during restore: {dict(h.log)}, {dict(outcomes)}")

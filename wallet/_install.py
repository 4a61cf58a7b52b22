"""Putting a whole wallet in place at once, for `laurel init` and `laurel restore`.

A wallet is several files (the keystore, the database, maybe the embedded chain), and
no rename moves several files at once: killed between two of them, a restore left a
database without its keystore, and ``init --force`` a home with no wallet at all, the
old one set aside (SECURITY.md W05). So the new wallet is first written whole into a
private staging folder inside the home, ``HOME/.laurel-install/``. Then a plan is
written there, atomically: which files move in, and under which ``NAME.STAMP.bak``
name each old one is set aside. The plan is the commit point:

- killed before it is written, the home is as it was; the next command that opens or
  creates a wallet there removes the staging folder;
- killed after, the next such command finishes the moves (rolls forward, as SQLite
  rolls back a hot journal when it opens a database). Each move is one rename, and
  the plan is read again from the start, so finishing twice does no harm.

An exclusive lock on the home folder (``flock``) keeps two installs, or an install
and a command opening the wallet, from working on the same home at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from wallet.atomic import ensure_private_dir, write_atomic
from wallet.errors import WalletBusyError, WalletCorruptError, WalletError, WalletExistsError

__all__ = ["STAGING", "finish_install", "install_wallet"]

#: The staging folder inside the home; present only while an install is under way.
STAGING = ".laurel-install"
_PLAN = "plan.json"
#: Seconds an install (or an open) waits for another process installing into the home.
_LOCK_TIMEOUT = 10.0


def install_wallet(
    home: Path,
    build: Callable[[Path], None],
    *,
    wallet_files: Sequence[str],
    force: bool,
) -> list[Path]:
    """Build a new wallet with `build(staging)` and put it in `home` all at once.

    `build` writes the new wallet's files into the (empty, private) folder it is given;
    if it raises, what it wrote is removed (and `home`, if this call created it).
    Every file of `wallet_files` already in `home` is set aside as
    ``NAME.YYYYmmddTHHMMSSZ.bak`` (never overwriting an earlier one); the paths set
    aside are returned.

    Raises:
        WalletExistsError: `home` holds a wallet (any of the first two `wallet_files`,
            the keystore and the database) and `force` is not set; nothing is built.
        WalletBusyError: another process kept installing into `home` for too long.
        WalletError: a file could not be written; `home` is as it was.
    """
    created = not home.exists()
    ensure_private_dir(home)
    with _locked(home):
        _finish(home)
        if not force and any((home / name).exists() for name in wallet_files[:2]):
            raise WalletExistsError(f"a wallet already exists in {home}")
        staging = home / STAGING
        ensure_private_dir(staging)
        try:
            build(staging)
        except BaseException:
            _remove_tree(staging)
            if created:
                with contextlib.suppress(OSError):
                    home.rmdir()
            raise
        moving = sorted(p.name for p in staging.iterdir() if not p.name.startswith("."))
        aside = _aside_names(home, wallet_files)
        plan = json.dumps({"move": moving, "aside": aside}, sort_keys=True).encode()
        write_atomic(staging / _PLAN, plan)  # the commit point
        _apply(home, staging, moving, aside)
    return [home / bak for bak in aside.values()]


def finish_install(home: Path) -> None:
    """Finish, or undo, an install into `home` that a crash cut short (no-op if none).

    Raises:
        WalletBusyError: another process kept installing into `home` for too long.
        WalletCorruptError: the staged plan is unreadable (it was edited).
        WalletError: a file could not be moved.
    """
    if not (home / STAGING).exists():
        return
    with _locked(home):
        _finish(home)


def _finish(home: Path) -> None:
    staging = home / STAGING
    if not staging.exists():
        return
    plan_path = staging / _PLAN
    if not plan_path.exists():
        # Cut short before its commit point: the home was not changed; drop what was built.
        _remove_tree(staging)
        return
    try:
        plan = json.loads(plan_path.read_bytes())
        moving, aside = plan["move"], plan["aside"]
        if not (
            isinstance(moving, list)
            and all(isinstance(n, str) and _plain(n) for n in moving)
            and isinstance(aside, dict)
            and all(_plain(k) and isinstance(v, str) and _plain(v) for k, v in aside.items())
        ):
            raise ValueError
    except (OSError, ValueError, KeyError, TypeError):
        raise WalletCorruptError(
            f"{plan_path} is unreadable: an install into {home} was cut short",
            hint="The new wallet's files are in that folder and the old ones beside it; "
            "restore from a backup, or move them by hand.",
        ) from None
    _apply(home, staging, moving, aside)


def _apply(home: Path, staging: Path, moving: list[str], aside: dict[str, str]) -> None:
    try:
        for name, bak in aside.items():
            # Each .bak name was free when the plan was made: taken, this one is done.
            if (home / name).exists() and not (home / bak).exists():
                os.rename(home / name, home / bak)
        for name in moving:
            if (staging / name).exists():
                os.replace(staging / name, home / name)
        _fsync_dir(home)
    except OSError as exc:
        raise WalletError(
            f"could not move the new wallet into {home}: {exc.strerror or exc}",
            hint="Free some disk space or make the folder writable, then run any laurel "
            "command on this wallet: it finishes the move.",
        ) from exc
    _remove_tree(staging)


def _aside_names(home: Path, wallet_files: Sequence[str]) -> dict[str, str]:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    aside: dict[str, str] = {}
    for name in wallet_files:
        if not (home / name).exists():
            continue
        bak, counter = f"{name}.{stamp}.bak", 1
        while (home / bak).exists() or (home / f"{bak}-journal").exists():
            bak, counter = f"{name}.{stamp}-{counter}.bak", counter + 1
        aside[name] = bak
        if (home / f"{name}-journal").exists():
            # A crashed writer's journal goes with its database: replayed onto the new
            # file it would corrupt it; beside the old one, SQLite rolls it back.
            aside[f"{name}-journal"] = f"{bak}-journal"
    return aside


def _plain(name: str) -> bool:
    return bool(name) and name not in (".", "..") and "/" not in name and "\x00" not in name


@contextlib.contextmanager
def _locked(home: Path) -> Iterator[None]:
    try:
        fd = os.open(home, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise WalletError(f"could not open {home}: {exc.strerror or exc}") from exc
    try:
        deadline = time.monotonic() + _LOCK_TIMEOUT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise WalletBusyError(
                        f"another laurel process is installing a wallet into {home}"
                    ) from None
                time.sleep(0.05)
        yield  # the lock goes with the descriptor, and with the process if it dies
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        with contextlib.suppress(OSError):  # some filesystems cannot (EINVAL)
            os.fsync(fd)
    finally:
        os.close(fd)


def _remove_tree(staging: Path) -> None:
    try:
        shutil.rmtree(staging)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise WalletError(f"could not remove {staging}: {exc.strerror or exc}") from exc

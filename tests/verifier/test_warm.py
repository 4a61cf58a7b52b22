"""verifier.warm: a service worker verifies a throwaway badge, then freezes its heap."""

from __future__ import annotations

import subprocess
import sys

_PROBE = """
import gc, sys
from verifier.warm import warm_up
verified = warm_up()
print(verified, gc.get_freeze_count() > 10_000, "vc._compaction_walk" in sys.modules)
"""


def test_warm_up_verifies_both_suites_and_freezes_the_heap() -> None:
    # In a process of its own: a frozen heap is never collected, not for the test run.
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == ["True", "True", "True"], done.stderr

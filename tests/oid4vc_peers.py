"""Run the third-party OpenID4VC peers (tests/oid4vc/*.mjs) installed by scripts/oid4vc-tools."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / ".tools" / "oid4vc"
SCRIPTS = ROOT / "tests" / "oid4vc"


def peers_dir() -> Path:
    """The scripts copied beside the installed node_modules (ESM resolves from the file)."""
    if not (TOOLS / "node_modules" / "@openid4vc" / "openid4vp").is_dir():
        pytest.fail("the OpenID4VC peers are not installed: run scripts/oid4vc-tools")
    target = TOOLS / "peers"
    target.mkdir(exist_ok=True)
    for script in SCRIPTS.glob("*.mjs"):
        shutil.copyfile(script, target / script.name)
    return target


def run_peer(script: str, payload: dict[str, Any], tmp_path: Path, timeout: float = 60) -> Any:
    """Run one peer script with `payload` as its input file; its one JSON line, parsed."""
    node = shutil.which("node")
    assert node is not None, "Node.js is needed for the OpenID4VC interoperability tests"
    source = tmp_path / f"{script}.input.json"
    source.write_text(json.dumps(payload))
    done = subprocess.run(
        [node, str(peers_dir() / script), str(source)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={"PATH": "/usr/bin:/bin", "LAUREL_CONTEXTS": str(ROOT / "vc" / "contexts")},
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"{script} failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


class PeerServer:
    """A peer script that serves on loopback: started, its first JSON line read, stopped."""

    def __init__(self, script: str, payload: dict[str, Any], tmp_path: Path) -> None:
        node = shutil.which("node")
        assert node is not None, "Node.js is needed for the OpenID4VC interoperability tests"
        source = tmp_path / f"{script}.input.json"
        source.write_text(json.dumps(payload))
        self._proc = subprocess.Popen(
            [node, str(peers_dir() / script), str(source)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={"PATH": "/usr/bin:/bin", "LAUREL_CONTEXTS": str(ROOT / "vc" / "contexts")},
        )
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            self.stop()
            raise AssertionError(
                f"{script} did not start: {self._proc.stderr.read() if self._proc.stderr else ''}"
            )
        self.info: dict[str, Any] = json.loads(line)

    def stop(self) -> None:
        self._proc.terminate()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(timeout=10)
        for stream in (self._proc.stdout, self._proc.stderr):
            if stream is not None:
                stream.close()

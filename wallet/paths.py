"""Where a wallet lives by default (no imports beyond the standard library: cheap to ask)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["default_home"]


def default_home() -> Path:
    """``LAUREL_HOME``, else the platform's user data directory for laurel."""
    configured = os.environ.get("LAUREL_HOME")
    if configured:
        return Path(configured).expanduser()
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "laurel"
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home())) / "laurel"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "laurel"

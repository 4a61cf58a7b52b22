r"""The employer's registry of recognized issuers: a small file they keep.

CSV with a header ``did,name,note`` (note optional), or JSON: a list of
``{"did": ..., "name": ..., "note": ...}``. A signature proves which key signed;
the registry says whether the verifier knows who that is.

    >>> from verifier.trust import TrustRegistry
    >>> registry = TrustRegistry.from_text("did,name\ndid:web:riverside.example,Riverside SD\n", "csv")
    >>> registry.name_of("did:web:riverside.example")
    'Riverside SD'
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from vc.errors import LaurelError

__all__ = ["TrustRegistry", "TrustRegistryError", "TrustedIssuer"]


class TrustRegistryError(LaurelError):
    """The registry file cannot be read."""

    hint = "A registry is a CSV with did,name[,note] columns, or a JSON list of {did, name, note}."


@dataclass(frozen=True, slots=True)
class TrustedIssuer:
    """One recognized issuer."""

    did: str
    name: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class TrustRegistry:
    """Recognized issuers by DID (exact string match, as DIDs are compared)."""

    issuers: tuple[TrustedIssuer, ...]

    @classmethod
    def from_file(cls, path: Path) -> TrustRegistry:
        """Read a registry from a .csv or .json file.

        Raises:
            TrustRegistryError: unreadable, malformed, or an entry without a DID.
        """
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TrustRegistryError(f"cannot read the trust registry {path}: {exc}") from exc
        return cls.from_text(
            text, "json" if path.suffix.lower() == ".json" else "csv", source=str(path)
        )

    @classmethod
    def from_text(
        cls, text: str, kind: str, *, source: str = "the trust registry"
    ) -> TrustRegistry:
        """Parse registry text of `kind` ``csv`` or ``json``.

        Raises:
            TrustRegistryError: malformed, or an entry without a DID.
        """
        rows: list[dict[str, object]]
        if kind == "json":
            try:
                loaded = json.loads(text)
            except json.JSONDecodeError as exc:
                raise TrustRegistryError(f"{source} is not valid JSON: {exc.msg}") from exc
            if not isinstance(loaded, list) or not all(isinstance(r, dict) for r in loaded):
                raise TrustRegistryError(f"{source} must be a JSON list of objects")
            rows = loaded
        else:
            reader = csv.DictReader(text.splitlines())
            if not reader.fieldnames or "did" not in [f.strip().lower() for f in reader.fieldnames]:
                raise TrustRegistryError(f"{source} needs a header line with a did column")
            rows = [{(k or "").strip().lower(): v for k, v in row.items()} for row in reader]
        issuers = []
        for number, row in enumerate(rows, start=1):
            did = str(row.get("did") or "").strip()
            if not did.startswith("did:"):
                raise TrustRegistryError(f"{source}, entry {number}: {did[:60]!r} is not a DID")
            issuers.append(
                TrustedIssuer(
                    did,
                    str(row.get("name") or "").strip() or did,
                    str(row.get("note") or "").strip(),
                )
            )
        return cls(tuple(issuers))

    def name_of(self, did: str | None) -> str | None:
        """The registry's name for `did`, or None when it is not recognized."""
        return next((i.name for i in self.issuers if i.did == did), None)

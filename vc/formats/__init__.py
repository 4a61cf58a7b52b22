"""Readers for the credential formats met in the wild, beside Data Integrity JSON-LD.

Each reader turns untrusted input into the signed data model plus the checks of its
proof, as :class:`vc.results.CheckResult` values, so the verifier's pipeline reports
them like any other check:

- :mod:`vc.formats.detect`: what an input is ("a VC-JWT", "an Open Badges 2.0 hosted
  assertion", "a baked PNG", ...), so that unreadable input is named;
- :mod:`vc.formats.jwt`: VC-JWT, both the VC-JOSE-COSE form and the VC 1.1 ``vc``-claim
  form, verified and signed;
- :mod:`vc.formats.ob2`: Open Badges 2.0 assertions, hosted or signed, with recipient
  identity hashes and revocation lists (fetching injected);
  :mod:`vc.formats.ob2_contexts` recognizes one without loading that verifier.

Nothing here touches the network: fetching is a callable the caller passes in.
"""

from __future__ import annotations

__all__: list[str] = []

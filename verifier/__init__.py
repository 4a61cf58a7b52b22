"""laurel's verifier: decide whether to believe a credential or presentation, and say why.

    >>> import datetime as dt
    >>> from verifier import VerificationPolicy, verify_bytes
    >>> policy = VerificationPolicy(now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    >>> result = verify_bytes(b'{"not": "a credential"}', policy)
    >>> result.verified, result.failures()[0].id.split(".")[0]
    (False, 'format')

Every check is reported by name (``proof.signature``, ``issuer.key_binding``,
``validity.period``...); the result is falsy unless verified. ``verifier`` never
imports ``wallet``.
"""

from vc.results import CheckResult, Status, VerificationResult
from verifier.policy import VerificationPolicy
from verifier.verify import verify, verify_bytes

__all__ = [
    "CheckResult",
    "Status",
    "VerificationPolicy",
    "VerificationResult",
    "verify",
    "verify_bytes",
]

"""The one exception root of laurel, and the errors of the standards core.

Exceptions are for misuse and I/O; a document that fails verification is reported
as a value (:class:`vc.results.VerificationResult`), never raised.
"""

from __future__ import annotations

__all__ = [
    "DidResolutionError",
    "LaurelError",
    "MalformedDocumentError",
    "SigningError",
    "UnknownContextError",
    "UnsupportedSuiteError",
]


class LaurelError(Exception):
    """Root of every error laurel raises on purpose.

    `hint` says what the user can do about it; it never contains secrets.
    """

    hint: str = "See `laurel --help`."

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    @property
    def message(self) -> str:
        """The one-sentence description of what went wrong."""
        return str(self)


class MalformedDocumentError(LaurelError):
    """The input is not a well-formed document (bad JSON, too large, too deep...).

    `code` is a stable, machine-readable reason such as ``"duplicate_key"``.
    """

    hint = "Check that the input is a single JSON credential or presentation."

    def __init__(self, message: str, *, code: str = "malformed", hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.code = code


class UnknownContextError(LaurelError):
    """A JSON-LD context that is not bundled with laurel was requested."""

    hint = "laurel never fetches contexts; only the bundled, pinned contexts are accepted."


class UnsupportedSuiteError(LaurelError):
    """A proof names a type or cryptosuite laurel does not implement."""

    hint = "Supported: eddsa-rdfc-2022, eddsa-jcs-2022 (and Ed25519Signature2020 to verify)."


class SigningError(LaurelError):
    """A document could not be signed (bad proof options or an unsignable document)."""


class DidResolutionError(LaurelError):
    """A DID could not be resolved.

    `code` is the DID resolution error name (``invalidDid``,
    ``invalidPublicKeyLength``, ``invalidPublicKeyType``, ``methodNotSupported``, ...).
    """

    hint = "Check the DID; laurel resolves did:key locally."

    def __init__(self, message: str, *, code: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.code = code

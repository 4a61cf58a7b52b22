"""JCS (RFC 8785) in C for plain JSON values (vc/_jcs.c); see :func:`vc.canon.jcs`."""

def dumps(value: object, /) -> bytes | None:
    """RFC 8785 bytes of dicts, lists, str, safe-range int, bool and None; else None."""

"""laurel's verifier."""

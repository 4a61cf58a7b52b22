"""laurel's wallet: encrypted keys, identities and stored badges (arrives with its issue)."""

"""laurel's ledger anchoring: Merkle batches on Ethereum (arrives with its issue)."""

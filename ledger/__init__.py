"""Certificate ledger: meter data, allocation leaves, Merkle batches, issuance outbox, reconciliation."""

__all__: list[str] = []

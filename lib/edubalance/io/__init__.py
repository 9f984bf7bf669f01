"""Layer 1: reading and writing files (decoding, validation, official forms, atomic writes)."""

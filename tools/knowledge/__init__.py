"""Build of knowledge/ from the reference data (`python -m tools knowledge build`)."""

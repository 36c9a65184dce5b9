"""Benchmarks and load generation (`python -m tools bench ...`)."""

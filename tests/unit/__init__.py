"""Unit tests: no server, no database server, no trained model (make unit)."""

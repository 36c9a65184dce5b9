"""Integration tests: databases, HTTP servers, processes, the trained model."""

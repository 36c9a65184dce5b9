"""Code shared by the tests (no test here): helpers, factories, fakes."""

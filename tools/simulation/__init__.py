"""Conversation simulator (issue 17): personas × phrasing banks played against the real
assistant over the web chat webhook, with invariants checked on every conversation."""

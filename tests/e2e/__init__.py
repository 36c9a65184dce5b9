"""End-to-end tests: conversations (Rasa test stories, HTTP) and the web chat in a browser."""

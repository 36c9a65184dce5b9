"""Input channels: the web chat served by the Rasa server itself."""

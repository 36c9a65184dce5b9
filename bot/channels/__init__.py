"""Input channels of the Rasa server: the web chat and Telegram, on the guard and the
neutral messaging layer they share."""

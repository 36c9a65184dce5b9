"""Rasa action server (`python -m bot.actions`, see `__main__`): thin actions only."""

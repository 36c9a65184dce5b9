"""Rasa action server (`python -m rasa_sdk --actions bot.actions`): thin actions only."""

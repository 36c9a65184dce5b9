"""Rasa action server (`rasa run actions --actions bot.actions`): thin actions only."""

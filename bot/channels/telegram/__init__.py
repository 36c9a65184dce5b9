"""Telegram channel: the Bot API webhook in, the Bot API (aiohttp) out.

Rasa serves the webhook at `/webhooks/telegram/webhook` (`channel.TelegramInput`, named
in credentials.yml). Each update is checked (secret header, size, JSON), de-duplicated by
`update_id`, turned into a neutral message (`updates`, on `bot.channels.messaging`), run
through Rasa, and the turn's answers are sent back in order (`replies`, `api`). The Bot
API address is configurable (public by default, a local server in tests or a
self-hosted Bot API server). Setup and design: `docs/channels.md`.
"""

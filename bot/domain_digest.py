"""The domain sent once to the action server, then named by its digest.

Rasa sends its whole domain (85 kB of JSON, the same at every call) with each custom
action call, and the action server read it again each time. Between Cap Num's two servers
(`bot.patches.action_session` on the Rasa side, `bot.actions.__main__` on the other):

1. Rasa sends the full body, with the header `DIGEST_HEADER` (the digest of the domain's
   JSON text). The action server keeps that domain and answers with `STORED_HEADER`.
2. From then on, Rasa sends the body without the domain, with the same header; the action
   server puts back the domain it kept before the actions read the call.
3. An action server that does not know the digest (restarted, another one behind the same
   address) answers `MISSING_STATUS` with `MISSING_HEADER`, and Rasa sends the full body
   again, once.

An action server that does not speak this protocol never sees a body without a domain:
Rasa leaves the domain out only for an address that answered `STORED_HEADER`.
"""

from __future__ import annotations

import hashlib

DIGEST_HEADER = "X-Capnum-Domain"
STORED_HEADER = "X-Capnum-Domain-Stored"
MISSING_HEADER = "X-Capnum-Domain-Missing"
MISSING_STATUS = 409
#: Domains an action server keeps: the model's, and the one before while a model changes.
KEPT_DOMAINS = 2


def digest(text: str) -> str:
    """Digest of a domain's JSON text."""
    return hashlib.sha256(text.encode()).hexdigest()[:32]

"""The counsellors' console: accounts of structures, guidance sessions shared with a young
person's conversation (short code, consent), live view, adjusted recommendations, and the
summary sheet ("fiche de synthèse")."""

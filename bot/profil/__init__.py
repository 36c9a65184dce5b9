"""Reading the person's profile in what they write: one parser per fact.

Pure functions, no Rasa: each parser takes a message and returns a canonical value of
`bot.contract` or None when the message says nothing about that fact. They work on the
normalised text (`bot.texte.normalize`, misspelled key words corrected) and never guess:
a vague answer stays None so that the assistant asks. The `find_*` functions work on the
normalised text and also say where the fact is written (`bot.profil.motifs.Trouve`), so
that `bot.nlu.entites` can point at the person's own words. `bot.profil.faits` composes
them for one message.
"""

"""The highest diploma the person holds (the contract's `DIPLOMES`): "j'ai le bac",
"BTS", "aucun diplôme"... The phrases naming each diploma are in
`knowledge/lexique/diplomes.yml`; a diploma failed, in progress or asked for is not held."""

from __future__ import annotations

import re

from bot import lexique
from bot.contract import DIPLOMES
from bot.profil.motifs import Trouve, find_all, preceded_by, without_overlaps
from bot.texte import normalize

_DIPLOMES = lexique.diplomes()
_FILLERS = r"(?: (?:eu|obtenu|valide|fait|passe|le|la|l|mon|ma|de|d|du|un|une|au|a|avoir|encore))*"
# "pas le bac", "raté le bac", "échoué au bac", "sans bac": not held.
_DIPLOME_NEGATED_BEFORE = re.compile(
    rf"(?:^| )(?:pas|jamais|ni|sans|rate|loupe|echoue|manque|recale){_FILLERS} $"
)
# "bac pro pas eu", "un BTS mais pas validé", "le bac je l'ai pas": not held.
_DIPLOME_NEGATED_AFTER = re.compile(
    r"^(?: \w+){0,3}? (?:pas (?:eu|obtenu|valide|validee|termine|terminee|fini|finie|reussi)"
    r"|non (?:valide|obtenu)|rate|loupe|l ai (?:pas|jamais)|l a (?:pas|jamais)|en cours"
    r"|abandonne)(?![a-z])"
)
# "en BTS", "en terminale bac pro", "je prépare un CAP": a course in progress.
_DIPLOME_IN_PROGRESS_BEFORE = re.compile(
    r"(?:^| )(?:en|prepare|prepares|preparer|passe|passes|passer|commence|commencer|entame"
    r"|fais|etudiante? en|inscrite? en)"
    r"(?: (?:premiere|1ere|1re|terminale|seconde|2nde|derniere|deuxieme|2e|2eme|annee|de|d"
    r"|un|une|le|la|l|mon|ma|actuellement|en ce moment|cette annee))* $"
)
# "faut le bac ?", "niveau bac", "le bac est-il obligatoire": not the person's diploma.
_DIPLOME_REQUIRED_BEFORE = re.compile(
    r"(?:^| )(?:faut|faut il|faudrait|besoin|exige|requis|obligatoire|minimum|necessaire"
    r"|au moins|niveau|equivalent|accessible)"
    r"(?: (?:avoir|le|la|l|un|une|du|d|de|des|il|au moins|minimum|niveau))* $"
)
_DIPLOME_REQUIRED_AFTER = re.compile(
    r"^(?: (?:est|c est|il|elle|ce|qu|ou|equivalent|est il|est elle))*"
    r" (?:obligatoire|requis|exige|necessaire|minimum|indispensable)(?![a-z])"
)


def _diploma_mentions(norm: str) -> list[Trouve]:
    found = [t for code, pats in _DIPLOMES.motifs for t in find_all(norm, code, pats)]
    return without_overlaps(found)


def _held(norm: str, t: Trouve, following: int, expecting: bool) -> bool:
    """Whether a diploma mention is one the person holds (not negated, failed, in
    progress or a requirement). `following` = start of the next mention."""
    after = norm[t.fin : following]
    negated_after = _DIPLOME_NEGATED_AFTER.search(after)
    if negated_after and following < len(norm):
        # "le bac mais j'ai raté mon BTS": the failure is about the next diploma.
        rest = after[negated_after.end() :]
        if re.fullmatch(r"(?: (?:le|la|l|les|mon|ma|son|sa|un|une|de|d|du|au))* ?", rest):
            negated_after = None
    if preceded_by(norm, t, _DIPLOME_NEGATED_BEFORE) or negated_after:
        return False
    if preceded_by(norm, t, _DIPLOME_IN_PROGRESS_BEFORE):
        return False
    if not expecting and (
        preceded_by(norm, t, _DIPLOME_REQUIRED_BEFORE) or _DIPLOME_REQUIRED_AFTER.search(after)
    ):
        return False
    return True


def find_diplome(norm: str, expecting: bool = False) -> Trouve | None:
    """The highest diploma the person holds, where it is written; "aucun" when they say
    they have none. A diploma asked for ("faut le bac ?"), a level ("niveau bac"), a
    course in progress ("en BTS") or failed ("bac pro pas eu") is not held; with
    `expecting` (an answer to the diploma question, a catalogue value) a level or a
    requirement counts ("niveau bac", "bac requis")."""
    mentions = _diploma_mentions(norm)
    held = [
        t
        for i, t in enumerate(mentions)
        if _held(norm, t, mentions[i + 1].debut if i + 1 < len(mentions) else len(norm), expecting)
    ]
    if held:
        best = max(held, key=lambda t: (DIPLOMES.index(t.code), -t.start))
        return min((t for t in held if t.code == best.code), key=lambda t: t.start)
    nones = without_overlaps(find_all(norm, "aucun", _DIPLOMES.aucun))
    return nones[0] if nones else None


# Answers to the diploma question that name no diploma but place the person below the
# bac: a class reached ("seconde", "1ère", "terminale", "jusqu'en première", "niveau
# terminale", "arrêté en 3e") or the bac missed ("pas eu le bac", "raté le bac", "sans
# le bac"). DECISION (issue 17): the contract's scale counts diplomas obtained, and a class
# reached gives none (the brevet is not needed to enter the lycée), so such an answer is
# "aucun": the one value we know to be true. The brevet or a CAP counts only when it is
# named ("pas eu le bac mais j'ai le brevet" = brevet, "terminale, j'ai un CAP" = cap_bep).
# Only as an answer to the diploma question: elsewhere "j'ai arrêté en première" says the
# situation, and the question is still asked (the person may hold the brevet or a CAP).
_CLASS_LEVEL = (
    r"(?:seconde|2nde|2nd|premiere|1ere|1re|terminale|terminal|3e|3eme|troisieme)"
    r"(?: (?:generale|general|pro|professionnelle|techno|technologique|bac pro|s|es|l|stmg))?"
)
_BELOW_BAC_ANSWER = re.compile(
    rf"^(?:(?:j ai |je me suis |j me suis |je suis |suis )?"
    rf"(?:arrete|arretee|quitte|quittee|lache|stoppe|sorti|sortie|decroche|decrochee|alle|allee"
    rf"|ete)? ?(?:(?:le|au|du) (?:lycee|college)|l ecole|les cours|l ecole)? ?)?"
    rf"(?:en|jusqu en|jusqu a la|jusqu au|a la fin de la|apres la|au niveau|niveau|classe de"
    rf"|en classe de)? ?{_CLASS_LEVEL}"
    r"(?: (?:et |mais )?(?:j ai |j ai eu )?(?:pas|jamais|sans) (?:eu |obtenu )?(?:le |mon |de )?"
    r"(?:bac|diplome))?$"
)
_NONE_ANSWER = re.compile(
    r"^(?:non|nan|aucun|aucune|rien|zero|nada|que dalle|pas de|pas d|j en ai pas|j en ai aucun"
    r"|j ai rien|j ai aucun|j ai rien eu|j ai eu aucun|j ai jamais rien eu|j ai rien obtenu"
    r"|j ai rien du tout|j ai pas de|j ai pas d|j ai pas eu de|j ai jamais eu de)"
    r"(?: (?:diplome|diplomes))?(?: du tout)?(?: moi)?$"
)


def _below_bac_answer(norm: str) -> bool:
    """The bac missed or still to come ("j'ai pas eu le bac", "je passe le bac") or a
    class below it ("terminale"), with no diploma held: see `_BELOW_BAC_ANSWER`."""
    mentions = _diploma_mentions(norm)
    bac_missed = any(
        t.code == "bac" and not _held(norm, t, len(norm), expecting=True) for t in mentions
    )
    return bac_missed or bool(_BELOW_BAC_ANSWER.match(norm.strip()))


def parse_diplome(text: str, expecting: bool = False) -> str | None:
    """Highest diploma, or None when unknown ("pas le bac" alone does not decide).

    As an answer to the diploma question (`expecting`), a bare "aucun" / "rien" / "j'ai
    rien eu" is "aucun", and so is an answer that stops below the bac without naming a
    diploma ("pas eu le bac", "terminale": see `_BELOW_BAC_ANSWER`).
    """
    norm = normalize(text, corriger=True)
    found = find_diplome(norm, expecting)
    if found is not None:
        return found.code
    if not expecting:
        return None
    if _NONE_ANSWER.match(norm.strip()) and not _diploma_mentions(norm):
        return "aucun"
    if _below_bac_answer(norm):
        return "aucun"
    return None

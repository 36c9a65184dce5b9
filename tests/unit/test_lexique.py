"""Tests of bot.lexique: every word list of knowledge/lexique loads, is well formed, and a
malformed file is refused with an error naming the file and the entry."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot import lexique
from bot.contract import DIPLOMES, DOMAINES, SITUATIONS

pytestmark = pytest.mark.data

FILES = sorted(lexique.LEXIQUE_DIR.glob("*.yml"))
WORDS = re.compile(r"[a-z]+(?: [a-z]+)*")


def test_every_lexicon_file_has_a_reader() -> None:
    """Every word-list file under knowledge/lexique/ is read by a parser."""
    assert [f.stem for f in FILES] == sorted(lexique.LECTEURS)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_lexicon_file_loads_and_says_who_reads_it(path: Path) -> None:
    """Each word-list file loads and its header names the module that reads it."""
    lexique.LECTEURS[path.stem]()
    header = path.read_text(encoding="utf-8").split("\n\n")[0]
    assert header.startswith("# ")
    assert re.search(r"# Lu par bot/\S+\.py", header), header


def test_lexicons_are_loaded_once() -> None:
    """A word list is read from disk once per process, then served from memory."""
    assert lexique.sms() is lexique.sms()
    assert lexique.situations() is lexique.situations()


def test_sms_spellings_expand_to_normalised_words() -> None:
    """SMS spellings expand to words that are already in normal form."""
    sms = lexique.sms()
    assert all(WORDS.fullmatch(v) for v in [*sms.mots.values(), *sms.accents.values()])
    assert all(re.search(r"[^a-z]", k) for k in sms.accents)  # told apart by their accent


def test_parser_phrases_cover_the_contract_values() -> None:
    """The phrases cover every canonical value of the profile contract."""
    assert {g.situation for g in lexique.situations().groupes} == set(SITUATIONS)
    assert [code for code, _ in lexique.diplomes().motifs] == sorted(
        set(DIPLOMES) - {"aucun"}, key=DIPLOMES.index, reverse=True
    )  # highest first
    assert list(lexique.interets().motifs) == list(DOMAINES)
    assert [g.faible for g in lexique.situations().groupes].count(True) == 1


def test_situation_fragments_are_replaced() -> None:
    """Situation phrases have their {fragments} replaced by the shared word groups."""
    for groupe in lexique.situations().groupes:
        assert not any(re.search(r"\{[a-z_]+\}", motif) for motif in groupe.motifs)
    assert "caissiere?|vendeu(?:r|se)|" in lexique.situations().fragments["metiers"]


def test_town_nicknames_name_one_commune() -> None:
    """Each town nickname names exactly one commune."""
    from bot.geo import Geo

    geo = Geo.default()
    for surnom, nom in lexique.lieux().surnoms.items():
        assert len(geo.resolve(nom)) == 1, surnom


def test_key_words_are_normalised_words() -> None:
    """The spelling corrector's key words are words in normal form."""
    assert all(WORDS.fullmatch(w) for w in lexique.mots_cles())


@pytest.mark.parametrize(
    "name, replace, error",
    [
        ("sms", ("  'jsuis': 'je suis'", "  'jsuis': 'je suis'\n  'jsuis': 'x'"), "jsuis"),
        ("sms", ("accents:", "accent:"), "accent"),
        ("mots_cles", ("chomage, ", "chomage, chomage, "), "chomage"),
        ("diplomes", ("  brevet:", "  master:"), "master"),
        ("interets", ("  data:", "  donnees:"), "donnees"),
        ("interets", ("    - 'coder'", "    - 'coder('"), "coder("),
        ("situations", ("(?P<s>{metiers})", "(?P<s>{metier})"), "{metier}"),
        ("situations", ("situation: salarie", "situation: salariee"), "salariee"),
        ("rangs", ("premier: 1", "premier: 0"), "premier"),
        ("lieux", ("'tlse': 'Toulouse'", "'tlse': 31"), "tlse"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_file_and_the_entry(
    tmp_path: Path, name: str, replace: tuple[str, str], error: str
) -> None:
    """A damaged word-list file is refused, naming the file and the entry at fault."""
    shutil.copytree(lexique.LEXIQUE_DIR, tmp_path, dirs_exist_ok=True)
    path = tmp_path / f"{name}.yml"
    text = path.read_text(encoding="utf-8")
    assert replace[0] in text
    path.write_text(text.replace(replace[0], replace[1], 1), encoding="utf-8")
    with pytest.raises(lexique.LexiqueInvalide) as raised:
        lexique.LECTEURS[name](tmp_path)
    assert str(path) in str(raised.value)
    assert error in str(raised.value)

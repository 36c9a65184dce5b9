"""Pure parts of the conversation simulator (tools/simulation): personas, phrasing,
driver decisions and each invariant on hand-made transcripts. No server."""

from __future__ import annotations

import random
from typing import Any

import pytest

from bot.contract import DIPLOMES, DOMAINES, SITUATIONS
from tools.simulation import banques as b
from tools.simulation import invariants as inv
from tools.simulation.cli import arguments
from tools.simulation.conducteur import Conducteur
from tools.simulation.modele import Conversation, Tour
from tools.simulation.personas import OUTRE_MER, REGISTRES, Lieu, generer, generer_tous
from tools.simulation.rapport import centile, markdown, resumer

LYON = Lieu("Lyon", "69", ("69001",), 519127, cp_unique=True)
VILLAGE = Lieu("Coursac", "24", ("24430",), 2200, cp_unique=False)


def carte(
    id_: str = "f1",
    eligible: bool = True,
    public: str = "tout public",
    raisons: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "id": id_,
        "intitule": f"Formation {id_}",
        "organisme": "Orga",
        "eligible": eligible,
        "raisons": raisons or [],
        "textes": {"public": public, "lieu": "Lyon (69)"},
    }


def reco(
    *cartes: dict[str, Any],
    rayon: float = 30,
    distanciel: bool = False,
    situation: str = "decrocheur",
) -> dict[str, Any]:
    profil = {"rayon_km": rayon, "distanciel": distanciel, "situation": situation}
    return {"custom": {"type": "recommandations", "profil": profil, "formations": list(cartes)}}


def tour(
    n: int,
    texte: str = "ok",
    *,
    slot: str | None = None,
    modeles: list[str] | None = None,
    intention: str = "reponse:age",
    statut: int = 200,
    reponses: list[dict[str, Any]] | None = None,
) -> Tour:
    return Tour(
        numero=n,
        message="msg",
        intention=intention,
        statut=statut,
        reponses=[{"text": texte}] if reponses is None else reponses,
        requested_slot=slot,
        modeles=modeles or [],
    )


def conversation(
    *tours: Tour,
    persona: dict[str, Any] | None = None,
    attendus: dict[str, Any] | None = None,
    slots: dict[str, Any] | None = None,
) -> Conversation:
    return Conversation(
        numero=0,
        persona=persona or {"age": 20, "diplome": "aucun", "situation": "decrocheur"},
        tours=list(tours),
        attendus=attendus or {},
        slots_finaux=slots or {},
    )


# --- personas ---------------------------------------------------------------------------
def test_personas_deterministes_avec_la_graine() -> None:
    """The same seed gives the same personas; persona n does not depend on how many."""
    assert generer(17, 3) == generer(17, 3)
    assert generer_tous(17, 10)[3] == generer(17, 3)
    assert [generer(17, n) for n in range(20)] != [generer(18, n) for n in range(20)]


def test_personas_couvrent_le_contrat() -> None:
    """500 personas cover situations, diplomas, ages, overseas, villages and "je sais pas"."""
    ps = generer_tous(17, 500)
    assert {p.situation for p in ps} == set(SITUATIONS)
    assert {p.diplome for p in ps} == set(DIPLOMES)
    assert min(p.age for p in ps) >= 15 and max(p.age for p in ps) <= 60
    assert sum(16 <= p.age <= 30 for p in ps) / len(ps) > 0.7
    assert any(p.lieu.departement in OUTRE_MER for p in ps)
    assert any(p.lieu.population < 500 for p in ps)
    assert any(not p.interets for p in ps) and {d for p in ps for d in p.interets} == set(DOMAINES)
    assert all(p.diplome in ("aucun", "brevet") for p in ps if p.age < 16)


# --- phrasing ---------------------------------------------------------------------------
def test_banques_completes() -> None:
    """Every canonical value has short answers and sentences in every register."""
    for champ, valeurs in (("situation", SITUATIONS), ("diplome", DIPLOMES)):
        for valeur in valeurs:
            for forme in ("reponse", "phrase"):
                for registre in REGISTRES:
                    assert b.variantes(b.banque(champ)[valeur][forme], registre)
    assert set(b.banque("interets")["domaines"]) == set(DOMAINES)
    assert set(b.banque("suites")) == {"plus_pres", "plus_loin", "a_distance", "d_autres"}


def test_age_en_lettres() -> None:
    """Ages are also written in French words."""
    assert [b.en_lettres(n) for n in (15, 19, 21, 34, 60)] == [
        "quinze",
        "dix-neuf",
        "vingt et un",
        "trente-quatre",
        "soixante",
    ]


def test_rendu_age_et_lieu() -> None:
    """A rendered fact carries the value; towns take their article and an SMS form."""
    rng = random.Random(1)
    for _ in range(30):
        texte = b.fait("age", 19, "phrase", "sms", rng)
        assert "19" in texte or "dix-neuf" in texte
    v = b.variables_lieu(Lieu("Le Havre", "76", ("76600",), 170000), rng)
    assert v["a_ville"] == "au Havre"
    assert b.variables_lieu(Lieu("Saint-Étienne", "42", ("42000",), 1), random.Random(2))[
        "ville_sms"
    ] in ("saint etienne", "st etienne")


def test_code_postal_partage_jamais_seul() -> None:
    """A postcode shared by several communes is never given without the town's name."""
    rng = random.Random(3)
    for _ in range(200):
        texte = b.fait("commune", VILLAGE, "reponse", "sms", rng, lieu=VILLAGE)
        assert texte != "24430"


def test_habiller_sms_et_fautes() -> None:
    """The SMS register drops accents and capitals; typos change the text a little."""
    assert b.habiller("J'ai arrêté l'école", "sms", 0, 0, random.Random(0)) == "j'ai arrete l'ecole"
    abime = b.fautes("je voudrais devenir développeur", random.Random(4))
    assert abime != "je voudrais devenir développeur"
    assert len(abime.split()) == 4


# --- driver -----------------------------------------------------------------------------
def test_conducteur_repond_a_la_question_posee() -> None:
    """The driver answers the slot being asked with the persona's fact."""
    p = generer(17, 0)
    p.correction, p.interjections, p.desordre, p.hesite_diplome, p.clics = None, 0, 0, False, 0
    c = Conducteur(p, random.Random(0))
    c.premier()
    envoi = c.suivant(tour(2, "Tu as quel âge ?", slot="age", modeles=["utter_ask_age"]))
    assert envoi is not None and envoi.faits.get("age") == p.age


def test_conducteur_choisit_la_bonne_commune() -> None:
    """Asked which town, the driver touches the button of its own town, not another one."""
    p = generer(17, 0)
    p.lieu, p.interjections = VILLAGE, 0
    c = Conducteur(p, random.Random(0))
    c.premier()
    boutons = [
        {"title": t, "payload": f'/informer{{"commune": "{t}"}}'}
        for t in ("Marsac-sur-l'Isle (24)", "Coursac (24)")
    ]
    t = tour(
        3,
        reponses=[{"text": "C'est laquelle ?", "buttons": boutons}],
        slot="commune",
        modeles=["utter_commune_ambigue"],
    )
    envoi = c.suivant(t)
    assert envoi is not None and envoi.bouton == "Coursac (24)"


def test_conducteur_suites_puis_fin() -> None:
    """After the results the driver plays its follow-ups, then stops."""
    p = generer(17, 1)
    p.suites, p.correction = ["plus_pres", "a_distance"], None
    c = Conducteur(p, random.Random(0))
    c.premier()
    fin = tour(6, reponses=[reco(carte())], slot=None)
    assert c.suivant(fin).intention == "suite:plus_pres"  # type: ignore[union-attr]
    assert c.suivant(fin).intention == "suite:a_distance"  # type: ignore[union-attr]
    assert c.suivant(fin) is None


# --- invariants -------------------------------------------------------------------------
def test_inv1_resultats_ou_rien_trouve() -> None:
    """inv1 passes with cards or an honest no-result in time, fails otherwise."""
    assert inv.inv1(conversation(tour(1), tour(2, reponses=[reco(carte())]))) == []
    rien = tour(2, "Je suis honnête avec toi : je n'ai trouvé aucune formation qui corresponde")
    assert inv.inv1(conversation(tour(1), rien)) == []
    longue = conversation(*(tour(n, slot="age") for n in range(1, 22)))
    assert [e.sorte for e in inv.inv1(longue)] == ["pas_de_resultat"]
    tard = conversation(*(tour(n) for n in range(1, 22)), tour(22, reponses=[reco(carte())]))
    assert [e.sorte for e in inv.inv1(tard)] == ["trop_long"]


def test_inv2_question_trois_fois() -> None:
    """inv2: one slot asked three turns in a row fails, rephrased or not; help choices do not."""
    q = {"slot": "age", "modeles": ["utter_ask_age"]}
    assert inv.inv2(conversation(tour(1, **q), tour(2, **q), tour(3, slot="diplome"))) == []
    echecs = inv.inv2(conversation(tour(1, **q), tour(2, **q), tour(3, **q)))
    assert [(e.sorte, e.tour) for e in echecs] == [("question_repetee:age", 3)]
    relance = tour(2, slot="age", modeles=["utter_relance_age"])
    assert len(inv.inv2(conversation(tour(1, **q), relance, tour(3, **q)))) == 1
    aide = tour(2, slot="interets", modeles=["utter_explorer_interets_1"])
    interets = {"slot": "interets", "modeles": ["utter_ask_interets"]}
    assert inv.inv2(conversation(tour(1, **interets), aide, tour(3, **interets))) == []


def test_inv3_profil_final() -> None:
    """inv3 compares canonical values (towns without accents or hyphens) and lists gaps."""
    attendus = {"age": 19, "commune": "Saint-Étienne", "interets": ["data"], "diplome": "bac"}
    bon = {"age": 19.0, "commune": "saint etienne", "interets": ["data"], "diplome": "bac"}
    assert inv.inv3(conversation(attendus=attendus, slots=bon)) == []
    faux = {**bon, "age": 20.0, "interets": ["data", "design"], "diplome": None}
    sortes = {e.sorte for e in inv.inv3(conversation(attendus=attendus, slots=faux))}
    assert sortes == {"age", "interets", "diplome_absent"}


def test_inv4_cartes() -> None:
    """inv4 reads age bands, levels and flags from the payload; unknown stays unknown."""
    persona = {"age": 30, "diplome": "aucun", "situation": "decrocheur"}
    profil = {"situation": "decrocheur"}
    sans_dip = ["accessible sans diplôme"]
    assert inv.verdict_carte(carte(raisons=sans_dip), persona, profil)[0] == "ok"
    assert inv.verdict_carte(carte(), persona, profil)[0] == "inconnu"
    jeune = carte(public="Jeunes – de 16 à 25 ans", raisons=sans_dip)
    assert inv.verdict_carte(jeune, persona, profil)[0] == "non_eligible"
    bac = carte(raisons=["ton diplôme suffit (niveau demandé : bac)"])
    assert inv.verdict_carte(bac, persona, profil)[0] == "non_eligible"
    signalee = carte(eligible=False, raisons=["jusqu'à 25 ans"])
    assert inv.verdict_carte(signalee, persona, profil)[0] == "signalee"
    assert inv.verdict_carte(carte(eligible=False), persona, profil)[0] == "signalee_sans_raison"
    assert inv.verdict_carte(carte(raisons=["réservée à : salariés"]), persona, profil)[0] == (
        "incoherente"
    )
    conv = conversation(
        tour(1, reponses=[reco(jeune, carte("f2", raisons=sans_dip))]),
        tour(2, reponses=[reco(jeune)]),
        persona=persona,
    )
    echecs, verdicts = inv.inv4(conv)
    assert [e.sorte for e in echecs] == ["non_eligible"] and verdicts == {
        "non_eligible": 1,
        "ok": 1,
    }


def test_inv5_suites() -> None:
    """inv5: new cards in the right direction pass; same cards without a word fail."""
    avant = tour(1, reponses=[reco(carte("a"), carte("b"))], intention="reponse:interets")
    plus_pres = {"intention": "suite:plus_pres"}
    change = tour(2, reponses=[reco(carte("a"), rayon=15)], **plus_pres)
    assert inv.inv5(conversation(avant, change)) == []
    meme = tour(2, reponses=[{"text": "OK"}, reco(carte("a"), carte("b"), rayon=15)], **plus_pres)
    assert [e.sorte for e in inv.inv5(conversation(avant, meme))] == ["inchange:plus_pres"]
    dit = tour(
        2, "Je t'ai montré toutes les formations que j'ai trouvées.", intention="suite:d_autres"
    )
    assert inv.inv5(conversation(avant, dit)) == []
    perdu = tour(2, "Je t'aide à trouver une formation.", intention="suite:a_distance")
    assert [e.sorte for e in inv.inv5(conversation(avant, perdu))] == ["sans_recherche:a_distance"]
    loin = tour(2, reponses=[reco(carte("c"), rayon=15)], intention="suite:plus_loin")
    assert [e.sorte for e in inv.inv5(conversation(avant, loin))] == ["sens_inverse:plus_loin"]
    # "plus loin" with nothing more (90 km, no cards), then "plus près": 45 km is closer.
    rien = tour(2, "Même jusqu'à 90 km, rien de plus.", intention="suite:plus_loin")
    rien.slots = {"rayon_km": 90.0}
    pres = tour(3, reponses=[reco(carte("a"), rayon=45)], **plus_pres)
    assert inv.inv5(conversation(avant, rien, pres)) == []


def test_inv6_chaines_internes() -> None:
    """inv6 catches ids, paths, hashes, reprs, "15.0 km", "(s)"; ordinary French passes."""
    mauvais = {
        "identifiant": "Voir gen-reg-012",
        "chemin": "erreur dans bot/actions/profil.py",
        "hash_commit": "version ae49389",
        "repr_python": "ta ville : None",
        "point_zero": "dans un rayon de 15.0 km.",
        "depot_non_identifie": "source : dépôt non identifié",
        "pluriel_parentheses": "J'ai trouvé 3 formation(s) pour toi.",
    }
    for sorte, texte in mauvais.items():
        assert sorte in {s for s, _ in inv.chaines_internes(texte)}, sorte
    propres = [
        "Développeur web – Simplon.co, à 7 km de Roubaix, site https://a.fr/ae49389f",
        "Codes ROME 4.0 : M1805",
        "Médiateur·rice numérique, payé·e pendant 6 mois",
    ]
    assert all(inv.chaines_internes(t) == [] for t in propres)
    conv = conversation(
        tour(1, "J'ai trouvé 2 formation(s)"), tour(2, "J'ai trouvé 2 formation(s)")
    )
    assert len(inv.inv6(conv)) == 1


def test_inv7_http() -> None:
    """inv7 fails on a 5xx, no answer, an empty list, or the "souci technique" notice."""
    assert inv.inv7(conversation(tour(1))) == []
    souci = tour(4, "Oups, j'ai un petit souci technique 😕 Réessaie dans quelques secondes.")
    conv = conversation(tour(1, statut=500), tour(2, statut=0), tour(3, reponses=[]), souci)
    assert [e.sorte for e in inv.inv7(conv)] == [
        "http_500",
        "pas_de_reponse",
        "reponse_vide",
        "souci_technique",
    ]


# --- report and command line ------------------------------------------------------------
def test_resume_et_rapport() -> None:
    """The summary counts turns and failures; the Markdown report has its sections."""
    assert centile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9) == 9
    persona = generer(17, 0).to_dict()
    bonne = conversation(
        tour(1),
        tour(2, reponses=[reco(carte(raisons=["accessible sans diplôme"]))]),
        persona=persona,
    )
    mauvaise = conversation(tour(1, statut=500), persona=persona)
    convs = [inv.verifier(bonne), inv.verifier(mauvaise)]
    r = resumer(convs)
    assert r["tours_premier_resultat"]["mediane"] == 2
    assert r["invariants"]["inv7"] == {"conversations": 1, "echecs": 1}
    meta = {
        "date": "d",
        "machine": "m",
        "commit": "c",
        "graine": 17,
        "parallele": 2,
        "pause": [0.3, 0.5],
        "duree_s": 60.0,
    }
    texte = markdown(convs, meta, ["inv7"])
    for titre in (
        "## Exécution",
        "## Invariants",
        "## Les dix pires conversations",
        "## Comment le lancer",
    ):
        assert titre in texte


def test_arguments_strict() -> None:
    """--strict takes known invariants only."""
    assert arguments(["--strict", "inv2,inv7"]).strict == ["inv2", "inv7"]
    with pytest.raises(SystemExit):
        arguments(["--strict", "inv9"])

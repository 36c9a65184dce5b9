"""Guidance sessions: short codes, the young person's consent, the counsellor's criteria,
marks, notes and next steps, messages pushed to a web chat, links to the summary sheet,
and erasure.

A session sees a conversation only while its sharing is `actif` (the young person said
yes); "arrêter le partage" ends it, "supprimer mes données" erases what the session holds
about the person (criteria, profile typed in, marks, notes, next steps, links).
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.console.comptes import Compte, ConsoleError, token_hash
from bot.console.models import (
    CodeRow,
    CompteRow,
    EnvoiRow,
    LienFicheRow,
    NoteRow,
    OrientationRow,
    SansSolutionRow,
    SeanceRow,
    StructureRow,
)

# Easy to read aloud and to type: no 0/O, 1/I/L, 2/Z, 5/S, 6/G, 8/B, Q.
CODE_ALPHABET = "ACDEFHJKMNPRTUVWXY3479"
CODE_LENGTH = 6
CODE_SECONDS = 30 * 60
FICHE_LINK_SECONDS = 7 * 24 * 3600
PARTAGES = ("sans", "attente_accord", "actif", "refuse", "arrete", "efface")
MARQUES = ("a_contacter", "ecartee")
VISIBILITES = ("structure", "personne")
MAX_NOTE = 2000
MAX_ETAPES = 4000
_CODE_TEXT = re.compile(
    rf"(?i:code)?[\s:]*([{CODE_ALPHABET}]{{3}})[\s-]?([{CODE_ALPHABET}]{{3}})",
    re.IGNORECASE,
)

Clock = Callable[[], float]


def nouveau_code() -> str:
    """Six characters of the alphabet, with at least one letter and one digit (so that no
    word a person types is taken for a code)."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if any(c.isdigit() for c in code) and any(c.isalpha() for c in code):
            return code


def code_dans(text: object) -> str | None:
    """The code a message is made of ("K7M-3PX", "k7m 3px", "code : K7M3PX"), or None."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    found = _CODE_TEXT.fullmatch(text.strip().rstrip(".!"))
    if not found:
        return None
    code = (found.group(1) + found.group(2)).upper()
    if any(c.isdigit() for c in code) and any(c.isalpha() for c in code):
        return code
    return None


def code_affiche(code: str) -> str:
    """ "K7M3PX" -> "K7M-3PX"."""
    return f"{code[:3]}-{code[3:]}"


@dataclass
class Seance:
    """A session as the console shows it."""

    id: str
    structure_id: int
    compte_id: int
    conseiller: str
    cree_le: float
    maj_le: float
    statut: str
    mode: str
    sender_id: str | None
    canal: str | None
    partage: str
    accord_le: float | None
    fin_partage_le: float | None
    criteres: dict[str, Any]
    profil_saisi: dict[str, Any]
    marques: dict[str, str]
    etapes: str
    donnees_effacees: bool
    stats_cle: str | None = None
    code: str | None = None
    code_expire_le: float | None = None
    notes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def partage_actif(self) -> bool:
        return self.partage == "actif" and self.sender_id is not None


def _seance(row: SeanceRow, conseiller: str) -> Seance:
    return Seance(
        id=row.id,
        structure_id=row.structure_id,
        compte_id=row.compte_id,
        conseiller=conseiller,
        cree_le=row.cree_le,
        maj_le=row.maj_le,
        statut=row.statut,
        mode=row.mode,
        sender_id=row.sender_id,
        canal=row.canal,
        partage=row.partage,
        accord_le=row.accord_le,
        fin_partage_le=row.fin_partage_le,
        criteres=dict(row.criteres or {}),
        profil_saisi=dict(row.profil_saisi or {}),
        marques=dict(row.marques or {}),
        etapes=row.etapes or "",
        donnees_effacees=bool(row.donnees_effacees),
        stats_cle=row.stats_cle,
    )


class Seances:
    """Sessions over the console database; every counsellor-side method checks that the
    session belongs to the account (a counsellor: theirs; an admin: their structure's)
    and answers `seance_inconnue` (404) otherwise, as for an id that does not exist."""

    def __init__(self, engine: Engine, clock: Clock = time.time) -> None:
        self.engine = engine
        self.clock = clock

    # --- counsellor side -------------------------------------------------------------------
    def creer(self, compte: Compte, mode: str = "chat", stats_cle: str | None = None) -> Seance:
        _conseil(compte)
        if mode not in ("chat", "sans_telephone"):
            raise ConsoleError("mode_invalide")
        now = self.clock()
        seance_id = secrets.token_hex(16)
        with Session(self.engine) as session, session.begin():
            session.add(
                SeanceRow(
                    id=seance_id,
                    structure_id=compte.structure_id,
                    compte_id=compte.id,
                    cree_le=now,
                    maj_le=now,
                    statut="en_cours",
                    mode=mode,
                    partage="sans",
                    criteres={},
                    profil_saisi={},
                    marques={},
                    etapes="",
                    donnees_effacees=False,
                    stats_cle=stats_cle,
                )
            )
        if mode == "chat":
            self.nouveau_code(compte, seance_id)
        return self.lire(compte, seance_id)

    def nouveau_code(self, compte: Compte, seance_id: str) -> str:
        """A fresh code for a session not linked yet (the previous ones stop working)."""
        now = self.clock()
        with Session(self.engine) as session, session.begin():
            row = self._row(session, compte, seance_id)
            if row.partage not in ("sans", "refuse") or row.statut != "en_cours":
                raise ConsoleError("code_inutile", 409)
            session.execute(delete(CodeRow).where(CodeRow.seance_id == seance_id))
            code = nouveau_code()
            while session.get(CodeRow, code) is not None:
                code = nouveau_code()
            session.add(CodeRow(code=code, seance_id=seance_id, expire_le=now + CODE_SECONDS))
            row.maj_le = now
            return code

    def lire(self, compte: Compte, seance_id: str) -> Seance:
        with Session(self.engine) as session:
            row = self._row(session, compte, seance_id)
            return self._complete(session, row)

    def liste(self, compte: Compte, statut_orientation: str | None = None) -> list[Seance]:
        """The account's sessions (an admin: the structure's), most recent first; only
        those with a referral in `statut_orientation` when given."""
        _conseil(compte)
        query = select(SeanceRow).where(SeanceRow.structure_id == compte.structure_id)
        if statut_orientation is not None:
            avec = select(OrientationRow.seance_id).where(
                OrientationRow.statut == statut_orientation
            )
            query = query.where(SeanceRow.id.in_(avec))
        if not compte.admin:
            query = query.where(SeanceRow.compte_id == compte.id)
        with Session(self.engine) as session:
            rows = session.scalars(query.order_by(SeanceRow.maj_le.desc()).limit(200)).all()
            names = dict(session.execute(select(CompteRow.id, CompteRow.nom)).all())
            return [_seance(r, names.get(r.compte_id, "")) for r in rows]

    def modifier(self, compte: Compte, seance_id: str, **values: Any) -> Seance:
        """Sets `criteres`, `profil_saisi`, `etapes` or `statut` of a session."""
        allowed = {"criteres", "profil_saisi", "etapes", "statut"}
        if not set(values) <= allowed:
            raise ConsoleError("requete_invalide")
        if "etapes" in values and len(values["etapes"]) > MAX_ETAPES:
            raise ConsoleError("texte_trop_long")
        if "statut" in values and values["statut"] not in ("en_cours", "terminee"):
            raise ConsoleError("requete_invalide")
        with Session(self.engine) as session, session.begin():
            row = self._row(session, compte, seance_id)
            for name, value in values.items():
                setattr(row, name, value)
            row.maj_le = self.clock()
            if values.get("statut") == "terminee":
                session.execute(delete(CodeRow).where(CodeRow.seance_id == seance_id))
        return self.lire(compte, seance_id)

    def marquer(
        self, compte: Compte, seance_id: str, formation_id: str, marque: str | None
    ) -> None:
        if marque is not None and marque not in MARQUES:
            raise ConsoleError("requete_invalide")
        if not isinstance(formation_id, str) or not 1 <= len(formation_id) <= 200:
            raise ConsoleError("requete_invalide")
        with Session(self.engine) as session, session.begin():
            row = self._row(session, compte, seance_id)
            marques = dict(row.marques or {})
            if marque is None:
                marques.pop(formation_id, None)
            else:
                marques[formation_id] = marque
            row.marques, row.maj_le = marques, self.clock()

    def ajouter_note(self, compte: Compte, seance_id: str, texte: str, visibilite: str) -> None:
        texte = texte.strip() if isinstance(texte, str) else ""
        if not texte or visibilite not in VISIBILITES:
            raise ConsoleError("requete_invalide")
        if len(texte) > MAX_NOTE:
            raise ConsoleError("texte_trop_long")
        now = self.clock()
        with Session(self.engine) as session, session.begin():
            row = self._row(session, compte, seance_id)
            session.add(
                NoteRow(
                    seance_id=seance_id,
                    compte_id=compte.id,
                    texte=texte,
                    visibilite=visibilite,
                    cree_le=now,
                )
            )
            row.maj_le = now

    def lien_fiche(self, compte: Compte, seance_id: str) -> str:
        """A new unguessable token for the young person's link to the summary sheet."""
        token = secrets.token_urlsafe(32)
        with Session(self.engine) as session, session.begin():
            self._row(session, compte, seance_id)
            session.add(
                LienFicheRow(
                    jeton_hash=token_hash(token),
                    seance_id=seance_id,
                    expire_le=self.clock() + FICHE_LINK_SECONDS,
                )
            )
        return token

    # --- young person's side ---------------------------------------------------------------
    def rejoindre(self, code: str, sender_id: str, canal: str) -> str:
        """Links the conversation to the code's session, waiting for consent; returns the
        session id. `code_refuse` for an unknown, used or expired code (one answer for
        all: it tells nothing about which codes exist)."""
        now = self.clock()
        with Session(self.engine) as session, session.begin():
            found = session.get(CodeRow, code)
            if found is None or found.utilise_le is not None or found.expire_le <= now:
                raise ConsoleError("code_refuse", 404)
            used = session.execute(
                update(CodeRow)
                .where(CodeRow.code == code, CodeRow.utilise_le.is_(None))
                .values(utilise_le=now)
            )
            if used.rowcount != 1:  # another conversation took it at the same moment
                raise ConsoleError("code_refuse", 404)
            self._fin_des_partages(session, sender_id, now)
            session.execute(
                update(SeanceRow)
                .where(SeanceRow.id == found.seance_id)
                .values(sender_id=sender_id, canal=canal, partage="attente_accord", maj_le=now)
            )
            return str(found.seance_id)

    def structure_de(self, seance_id: str) -> str:
        """The name of the session's structure (said in the consent question)."""
        with Session(self.engine) as session:
            return str(
                session.scalar(
                    select(StructureRow.nom)
                    .join(SeanceRow, SeanceRow.structure_id == StructureRow.id)
                    .where(SeanceRow.id == seance_id)
                )
                or ""
            )

    def en_attente(self, sender_id: str) -> str | None:
        """The session waiting for this conversation's consent, if any."""
        return self._par_sender(sender_id, ("attente_accord",))

    def partage_de(self, sender_id: str) -> str | None:
        """The session that this conversation shares with (consent given), if any."""
        return self._par_sender(sender_id, ("actif",))

    def senders_actifs(self) -> dict[str, str]:
        """{conversation: session} of every active sharing."""
        with Session(self.engine) as session:
            rows = session.execute(
                select(SeanceRow.sender_id, SeanceRow.id).where(SeanceRow.partage == "actif")
            ).all()
            return {str(s): str(i) for s, i in rows if s}

    def repondre_accord(self, sender_id: str, accepte: bool) -> str | None:
        """Records the yes or no (with its time) of the session waiting for consent."""
        now = self.clock()
        with Session(self.engine) as session, session.begin():
            row = session.scalar(
                select(SeanceRow).where(
                    SeanceRow.sender_id == sender_id, SeanceRow.partage == "attente_accord"
                )
            )
            if row is None:
                return None
            row.partage = "actif" if accepte else "refuse"
            row.accord_le = now if accepte else None
            row.fin_partage_le = None if accepte else now
            row.maj_le = now
            return str(row.id)

    def arreter_partage(self, sender_id: str) -> list[str]:
        """Ends every sharing of this conversation; returns the sessions concerned."""
        now = self.clock()
        with Session(self.engine) as session, session.begin():
            return self._fin_des_partages(session, sender_id, now)

    def effacer_conversation(self, sender_id: str) -> list[str]:
        """Erases what the sessions hold about this conversation's person: the link, the
        criteria and profile, marks, notes, next steps, summary links and pushed messages.
        The session stays in the counsellor's list, marked as erased."""
        now = self.clock()
        with Session(self.engine) as session, session.begin():
            ids = list(
                session.scalars(select(SeanceRow.id).where(SeanceRow.sender_id == sender_id))
            )
            for seance_id in ids:
                _effacer(session, seance_id, now)
            session.execute(delete(EnvoiRow).where(EnvoiRow.sender_id == sender_id))
            return ids

    def seance_par_lien(self, token: str) -> Seance | None:
        """The session of a summary-sheet link that has not expired."""
        if not token or len(token) > 100:
            return None
        with Session(self.engine) as session:
            link = session.get(LienFicheRow, token_hash(token))
            if link is None or link.expire_le <= self.clock():
                return None
            row = session.get(SeanceRow, link.seance_id)
            return None if row is None else self._complete(session, row)

    # --- messages pushed to a web chat -----------------------------------------------------
    def deposer(self, sender_id: str, messages: list[dict[str, Any]]) -> None:
        with Session(self.engine) as session, session.begin():
            session.add(EnvoiRow(sender_id=sender_id, messages=messages, cree_le=self.clock()))

    def retirer(self, sender_id: str) -> list[dict[str, Any]]:
        """The messages waiting for this web chat, oldest first (removed once read)."""
        with Session(self.engine) as session, session.begin():
            rows = session.scalars(
                select(EnvoiRow).where(EnvoiRow.sender_id == sender_id).order_by(EnvoiRow.id)
            ).all()
            messages = [m for r in rows for m in r.messages]
            if rows:
                session.execute(delete(EnvoiRow).where(EnvoiRow.id.in_([r.id for r in rows])))
            return messages

    # --- retention -------------------------------------------------------------------------
    def purger(self, retention_seconds: float) -> int:
        """Deletes the sessions untouched for longer than the retention period."""
        cutoff = self.clock() - retention_seconds
        with Session(self.engine) as session, session.begin():
            ids = list(session.scalars(select(SeanceRow.id).where(SeanceRow.maj_le < cutoff)))
            for table in (CodeRow, NoteRow, LienFicheRow, OrientationRow, SansSolutionRow):
                session.execute(delete(table).where(table.seance_id.in_(ids)))
            session.execute(delete(SeanceRow).where(SeanceRow.id.in_(ids)))
            session.execute(delete(EnvoiRow).where(EnvoiRow.cree_le < cutoff))
            return len(ids)

    # --- helpers ---------------------------------------------------------------------------
    def _row(self, session: Session, compte: Compte, seance_id: object) -> SeanceRow:
        _conseil(compte)
        row = session.get(SeanceRow, seance_id) if isinstance(seance_id, str) else None
        if (
            row is None
            or row.structure_id != compte.structure_id
            or (not compte.admin and row.compte_id != compte.id)
        ):
            raise ConsoleError("seance_inconnue", 404)
        return row

    def _complete(self, session: Session, row: SeanceRow) -> Seance:
        conseiller = session.get(CompteRow, row.compte_id)
        seance = _seance(row, conseiller.nom if conseiller else "")
        code = session.scalar(
            select(CodeRow).where(
                CodeRow.seance_id == row.id,
                CodeRow.utilise_le.is_(None),
                CodeRow.expire_le > self.clock(),
            )
        )
        if code is not None:
            seance.code, seance.code_expire_le = code.code, code.expire_le
        notes = session.execute(
            select(NoteRow, CompteRow.nom)
            .join(CompteRow, CompteRow.id == NoteRow.compte_id)
            .where(NoteRow.seance_id == row.id)
            .order_by(NoteRow.id)
        ).all()
        seance.notes = [
            {
                "id": n.id,
                "texte": n.texte,
                "visibilite": n.visibilite,
                "auteur": nom,
                "le": n.cree_le,
            }
            for n, nom in notes
        ]
        return seance

    def _par_sender(self, sender_id: str, partages: tuple[str, ...]) -> str | None:
        with Session(self.engine) as session:
            return session.scalar(
                select(SeanceRow.id)
                .where(SeanceRow.sender_id == sender_id, SeanceRow.partage.in_(partages))
                .order_by(SeanceRow.maj_le.desc())
                .limit(1)
            )

    def _fin_des_partages(self, session: Session, sender_id: str, now: float) -> list[str]:
        rows = session.scalars(
            select(SeanceRow).where(
                SeanceRow.sender_id == sender_id,
                SeanceRow.partage.in_(("attente_accord", "actif")),
            )
        ).all()
        for row in rows:
            # The conversation id stays: "supprimer mes données" must still find the session.
            row.partage, row.fin_partage_le, row.maj_le = "arrete", now, now
        return [str(r.id) for r in rows]


def _effacer(session: Session, seance_id: str, now: float) -> None:
    session.execute(
        update(SeanceRow)
        .where(SeanceRow.id == seance_id)
        .values(
            sender_id=None,
            partage="efface",
            fin_partage_le=now,
            criteres={},
            profil_saisi={},
            marques={},
            etapes="",
            donnees_effacees=True,
            stats_cle=None,
            maj_le=now,
        )
    )
    for table in (NoteRow, LienFicheRow, CodeRow, OrientationRow, SansSolutionRow):
        session.execute(delete(table).where(table.seance_id == seance_id))


def _conseil(compte: Compte) -> None:
    """A regional planner's account reads no session."""
    if compte.territoire:
        raise ConsoleError("reserve_conseil", 403)

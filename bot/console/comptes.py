"""Structures, counsellors' accounts, passwords and signed-in browsers.

Passwords are hashed with scrypt (standard library, salted, memory-hard); there is no
default password anywhere. Five wrong passwords in a row lock an account for 15 minutes.
A signed-in browser holds a random token (only its SHA-256 is stored) and gets a CSRF
token; it is signed out after an hour without use and after 10 hours in any case.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.console.models import CompteRow, ConnexionRow, StructureRow

# territoire: a regional planner; reads the map of unmet demand of its structure's région
# and nothing about sessions.
ROLES = ("conseiller", "admin", "territoire")
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200
MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60
IDLE_SECONDS = 60 * 60
MAX_SIGNED_IN_SECONDS = 10 * 60 * 60
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_IDENTIFIANT = re.compile(r"[a-z0-9][a-z0-9._@-]{2,119}")
# A hash checked when the login is unknown, so that both cases take the same time.
_DUMMY_SALT = b"capnum-console-dummy"

Clock = Callable[[], float]


class ConsoleError(Exception):
    """A refused console operation; `code` names the domain text that explains it."""

    def __init__(self, code: str, status: int = 400) -> None:
        super().__init__(code)
        self.code = code
        self.status = status


@dataclass(frozen=True)
class Compte:
    id: int
    identifiant: str
    nom: str
    role: str
    structure_id: int
    structure: str
    region: str | None = None  # the structure's région (INSEE code)

    @property
    def admin(self) -> bool:
        return self.role == "admin"

    @property
    def territoire(self) -> bool:
        return self.role == "territoire"


def hash_password(password: str, salt: bytes | None = None) -> str:
    """`scrypt$n$r$p$salt$hash` (base64)."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    b64 = base64.b64encode
    return "scrypt${n}${r}${p}$".format(**_SCRYPT) + f"{b64(salt).decode()}${b64(digest).decode()}"


def check_password(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        found = hashlib.scrypt(
            password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(found, expected)


def password_problem(password: str, identifiant: str = "") -> str | None:
    """The code of what is wrong with a new password, or None."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        return "mot_de_passe_trop_court"
    if len(password) > MAX_PASSWORD_LENGTH:
        return "mot_de_passe_trop_long"
    if len(set(password)) < 5 or (identifiant and identifiant.lower() in password.lower()):
        return "mot_de_passe_trop_simple"
    return None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _compte(row: CompteRow, structure: StructureRow) -> Compte:
    return Compte(
        row.id, row.identifiant, row.nom, row.role, structure.id, structure.nom, structure.region
    )


class Comptes:
    """Accounts and signed-in browsers over the console database."""

    def __init__(self, engine: Engine, clock: Clock = time.time) -> None:
        self.engine = engine
        self.clock = clock

    def creer_structure(self, nom: str, region: str | None = None) -> int:
        """The structure's id (created when new; its région set when given)."""
        nom = " ".join(str(nom).split())
        if not 2 <= len(nom) <= 200:
            raise ConsoleError("structure_invalide")
        with Session(self.engine) as session, session.begin():
            found = session.scalar(select(StructureRow).where(StructureRow.nom == nom))
            if found is not None:
                if region is not None:
                    found.region = region
                return int(found.id)
            row = StructureRow(nom=nom, cree_le=self.clock(), region=region)
            session.add(row)
            session.flush()
            return int(row.id)

    def structure_id(self, nom: str) -> int | None:
        with Session(self.engine) as session:
            return session.scalar(select(StructureRow.id).where(StructureRow.nom == nom.strip()))

    def creer_compte(
        self, structure_id: int, identifiant: str, nom: str, role: str, mot_de_passe: str
    ) -> Compte:
        identifiant = str(identifiant).strip().lower()
        nom = " ".join(str(nom).split())
        if not _IDENTIFIANT.fullmatch(identifiant):
            raise ConsoleError("identifiant_invalide")
        if not 1 <= len(nom) <= 200:
            raise ConsoleError("nom_invalide")
        if role not in ROLES:
            raise ConsoleError("role_invalide")
        problem = password_problem(mot_de_passe, identifiant)
        if problem:
            raise ConsoleError(problem)
        try:
            with Session(self.engine) as session, session.begin():
                structure = session.get(StructureRow, structure_id)
                if structure is None:
                    raise ConsoleError("structure_inconnue", 404)
                row = CompteRow(
                    structure_id=structure_id,
                    identifiant=identifiant,
                    nom=nom,
                    role=role,
                    mot_de_passe=hash_password(mot_de_passe),
                    echecs=0,
                    actif=True,
                    cree_le=self.clock(),
                )
                session.add(row)
                session.flush()
                return _compte(row, structure)
        except IntegrityError:
            raise ConsoleError("identifiant_pris", 409) from None

    def comptes(self, structure_id: int) -> list[dict[str, object]]:
        with Session(self.engine) as session:
            rows = session.scalars(
                select(CompteRow)
                .where(CompteRow.structure_id == structure_id)
                .order_by(CompteRow.identifiant)
            )
            return [
                {
                    "id": r.id,
                    "identifiant": r.identifiant,
                    "nom": r.nom,
                    "role": r.role,
                    "actif": r.actif,
                    "verrouille": bool(r.verrou_jusqu_a and r.verrou_jusqu_a > self.clock()),
                }
                for r in rows
            ]

    def changer_mot_de_passe(self, identifiant: str, mot_de_passe: str) -> None:
        identifiant = identifiant.strip().lower()
        problem = password_problem(mot_de_passe, identifiant)
        if problem:
            raise ConsoleError(problem)
        with Session(self.engine) as session, session.begin():
            row = session.scalar(select(CompteRow).where(CompteRow.identifiant == identifiant))
            if row is None:
                raise ConsoleError("compte_inconnu", 404)
            row.mot_de_passe = hash_password(mot_de_passe)
            row.echecs, row.verrou_jusqu_a = 0, None
            session.execute(delete(ConnexionRow).where(ConnexionRow.compte_id == row.id))

    def activer(self, structure_id: int, compte_id: int, actif: bool) -> None:
        """Enables or disables an account of the structure (disabling signs it out)."""
        with Session(self.engine) as session, session.begin():
            row = session.get(CompteRow, compte_id)
            if row is None or row.structure_id != structure_id:
                raise ConsoleError("compte_inconnu", 404)
            row.actif = actif
            row.echecs, row.verrou_jusqu_a = 0, None
            if not actif:
                session.execute(delete(ConnexionRow).where(ConnexionRow.compte_id == row.id))

    def connecter(self, identifiant: object, mot_de_passe: object) -> tuple[Compte, str, str]:
        """(account, cookie token, CSRF token); ConsoleError `identifiants_invalides` (the
        same for an unknown login and a wrong password) or `compte_verrouille`."""
        if not isinstance(identifiant, str) or not isinstance(mot_de_passe, str):
            raise ConsoleError("identifiants_invalides", 401)
        identifiant = identifiant.strip().lower()[:120]
        mot_de_passe = mot_de_passe[:MAX_PASSWORD_LENGTH]
        now = self.clock()
        refus: ConsoleError | None = None
        with Session(self.engine) as session, session.begin():
            row = session.scalar(select(CompteRow).where(CompteRow.identifiant == identifiant))
            if row is None or not row.actif:
                check_password(mot_de_passe, hash_password("x", _DUMMY_SALT))
                raise ConsoleError("identifiants_invalides", 401)
            if row.verrou_jusqu_a and row.verrou_jusqu_a > now:
                raise ConsoleError("compte_verrouille", 423)
            if not check_password(mot_de_passe, row.mot_de_passe):
                # Counted (committed at the end of the block), then refused.
                row.echecs = (row.echecs or 0) + 1
                refus = ConsoleError("identifiants_invalides", 401)
                if row.echecs >= MAX_FAILURES:
                    row.echecs, row.verrou_jusqu_a = 0, now + LOCK_SECONDS
                    refus = ConsoleError("compte_verrouille", 423)
            else:
                row.echecs, row.verrou_jusqu_a = 0, None
                token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
                session.add(
                    ConnexionRow(
                        jeton_hash=token_hash(token),
                        compte_id=row.id,
                        csrf=csrf,
                        cree_le=now,
                        vu_le=now,
                    )
                )
                compte = _compte(row, session.get(StructureRow, row.structure_id))
        if refus is not None:
            raise refus
        return compte, token, csrf

    def connexion(self, token: str | None) -> tuple[Compte, str] | None:
        """(account, CSRF token) of a signed-in browser, or None (unknown, idle too long,
        too old, account disabled)."""
        if not token or len(token) > 100:
            return None
        now = self.clock()
        with Session(self.engine) as session, session.begin():
            connexion = session.get(ConnexionRow, token_hash(token))
            if connexion is None:
                return None
            compte = session.get(CompteRow, connexion.compte_id)
            too_old = now - connexion.cree_le > MAX_SIGNED_IN_SECONDS
            if too_old or now - connexion.vu_le > IDLE_SECONDS or not compte or not compte.actif:
                session.delete(connexion)
                return None
            if now - connexion.vu_le > 30:  # one write a minute at most
                session.execute(
                    update(ConnexionRow)
                    .where(ConnexionRow.jeton_hash == connexion.jeton_hash)
                    .values(vu_le=now)
                )
            return _compte(compte, session.get(StructureRow, compte.structure_id)), connexion.csrf

    def deconnecter(self, token: str | None) -> None:
        if token:
            with Session(self.engine) as session, session.begin():
                session.execute(
                    delete(ConnexionRow).where(ConnexionRow.jeton_hash == token_hash(token))
                )

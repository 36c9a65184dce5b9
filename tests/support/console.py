"""Console test helpers: a settable clock, in-memory console services, accounts."""

from __future__ import annotations

import secrets
import subprocess
import sys
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from bot.catalogue.repository import Catalogue, catalogue_paths
from bot.config import Settings
from bot.console.comptes import Compte
from bot.console.models import create_tables
from bot.console.service import ConsoleService
from bot.db import engine_for

PASSWORD = "Tr3s-bon-mot-de-passe"


@dataclass
class Clock:
    """A clock the test moves by hand (UNIX seconds)."""

    now: float = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def console_service(
    catalogue_engine: Engine | None = None, clock: Clock | None = None
) -> ConsoleService:
    """Console services over a new in-memory SQLite database (tables created)."""
    engine = engine_for("sqlite://")
    create_tables(engine)
    return ConsoleService(
        engine, catalogue_engine or engine_for("sqlite://"), clock or Clock(), pousseurs={}
    )


def structure_with_accounts(
    service: ConsoleService, nom: str = "Mission locale de Roubaix"
) -> tuple[Compte, Compte, Compte]:
    """(admin, counsellor, another counsellor) of a new structure."""
    structure = service.comptes.creer_structure(nom)
    slug = "".join(c for c in nom.lower() if c.isascii() and c.isalnum())[:20]
    admin = service.comptes.creer_compte(
        structure, f"admin.{slug}", "Alex Admin", "admin", PASSWORD
    )
    one = service.comptes.creer_compte(
        structure, f"camille.{slug}", "Camille Martin", "conseiller", PASSWORD
    )
    two = service.comptes.creer_compte(
        structure, f"sam.{slug}", "Sam Durand", "conseiller", PASSWORD
    )
    return admin, one, two


def real_catalogue_engine() -> Engine:
    """An in-memory SQLite database holding the repository's catalogue."""
    engine = engine_for("sqlite://")
    Catalogue(engine).load(catalogue_paths(Settings.from_env({}).catalogue_dir))
    return engine


def create_admin(structure: str, region: str | None = None) -> str:
    """A new admin account made with the real command (`capnum conseil creer-admin`, in
    the database of CAPNUM_CONSOLE_URL, as the running server); returns its login."""
    extra = ["--region", region] if region else []
    return _command("creer-admin", structure, extra)


def create_account(structure: str, role: str) -> str:
    """A new account of an existing structure (`capnum conseil creer-compte`)."""
    return _command("creer-compte", structure, ["--role", role])


def territory_accounts(region: str = "32", name: str = "Hauts-de-France") -> dict[str, str]:
    """Logins made with the real commands: the admin and a counsellor of a Mission locale
    of the région, and a regional planner (`territoire`) of the région's own structure."""
    suffix = secrets.token_hex(3)
    structure = f"Mission locale de Roubaix {suffix}"
    admin = create_admin(structure, region=region)
    counsellor = create_account(structure, "conseiller")
    planner_structure = f"Région {name} {suffix}"
    create_admin(planner_structure, region=region)
    planner = create_account(planner_structure, "territoire")
    return {"admin": admin, "counsellor": counsellor, "planner": planner, "suffix": suffix}


def _command(sub: str, structure: str, extra: list[str]) -> str:
    login = f"{sub[6:]}-{secrets.token_hex(4)}"
    command = [sys.executable, "-m", "bot.cli", "conseil", sub, "--structure", structure]
    command += ["--identifiant", login, "--nom", "Alex Admin", "--mot-de-passe-stdin", *extra]
    done = subprocess.run(
        command, input=PASSWORD + "\n", capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    return login

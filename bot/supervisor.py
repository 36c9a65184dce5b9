"""Supervisor of the processes `make run` starts (`python -m bot.supervisor`).

Starts each child in order (its own process group, output to its log file), waits until
it answers on its readiness URL, then watches them all: a child that exits is restarted
after a back-off (1 s, 2 s, 4 s… at most 30 s; back to 1 s after 60 s of uptime), and after
5 fast crashes in a row everything is stopped and the supervisor exits 1. SIGINT or SIGTERM
stops every child (SIGTERM, SIGKILL after a timeout) and exits 0. Periodic jobs (the
retention purge) run every N seconds once everything is ready.

Without `--spec`, the children are Cap Num's action server and Rasa server, configured from
the same environment variables as `scripts/servers.sh`.
"""

from __future__ import annotations

import argparse
import ctypes
import http.client
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bot.config import setting

TICK = 0.2
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class Child:
    """A process to keep running; `name` appears in messages ("le serveur Rasa")."""

    name: str
    command: list[str]
    log: Path
    ready_url: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    ready_timeout: float = 120.0
    pid_file: Path | None = None


@dataclass(frozen=True)
class Job:
    """A command run every `interval` seconds once all children are ready (output appended
    to `log`; its failures are not the supervisor's business)."""

    name: str
    command: list[str]
    log: Path
    interval: float
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Policy:
    """Restart back-off, crash limit and stop timeout, in seconds."""

    first_delay: float = 1.0
    max_delay: float = 30.0
    stable_after: float = 60.0
    max_fast_crashes: int = 5
    stop_timeout: float = 10.0

    def delay(self, fast_crashes: int) -> float:
        """Wait before restarting after `fast_crashes` fast crashes in a row (0 or more)."""
        return min(self.first_delay * 2 ** max(fast_crashes - 1, 0), self.max_delay)


@dataclass
class _Slot:
    child: Child
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    ready: bool = False
    ever_ready: bool = False
    fast_crashes: int = 0
    restarts: int = 0
    restart_at: float | None = None
    crashed_at: float = 0.0


_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the supervisor dies, even by SIGKILL."""
    if _LIBC is not None:
        _LIBC.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def spawn(
    command: Sequence[str], env: Mapping[str, str], log: TextIO, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    """Starts `command` in a new session (own process group), output to `log`."""
    return subprocess.Popen(
        list(command),
        cwd=cwd,
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=_die_with_parent,
    )


def responds(url: str) -> bool:
    """True when a GET on `url` answers 2xx/3xx (no proxy)."""
    try:
        with _opener.open(url, timeout=2):
            return True
    except (OSError, http.client.HTTPException, ValueError):
        return False


def stop_processes(processes: Sequence[subprocess.Popen[bytes]], timeout: float) -> None:
    """SIGTERM to each process group, SIGKILL to those still there after `timeout` s."""
    for process in processes:
        _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(max(deadline - time.monotonic(), 0))
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait()
        _signal_group(process, signal.SIGKILL)  # what the leader left behind in its group


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def describe_exit(returncode: int) -> str:
    """'code 1' or 'signal SIGKILL' (Popen's negative return codes)."""
    if returncode < 0:
        try:
            return f"signal {signal.Signals(-returncode).name}"
        except ValueError:
            return f"signal {-returncode}"
    return f"code {returncode}"


def _seconds(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


class Supervisor:
    """Runs `children` (started in order) and `jobs` until a signal or a give-up."""

    def __init__(
        self,
        children: Sequence[Child],
        jobs: Sequence[Job] = (),
        policy: Policy | None = None,
        announce: Sequence[str] = (),
        cwd: Path | None = None,
        out: TextIO = sys.stdout,
    ) -> None:
        self.slots = [_Slot(child) for child in children]
        self.jobs = list(jobs)
        self.policy = policy or Policy()
        self.announce = list(announce)
        self.cwd = cwd
        self.out = out
        self.stop_signal: int | None = None

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def run(self) -> int:
        """Supervises until SIGINT/SIGTERM (returns 0) or a failure (returns 1)."""
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._on_signal)
        job_processes: dict[str, subprocess.Popen[bytes]] = {}
        next_job_at: dict[str, float] = {}
        status = 1
        try:
            while self.stop_signal is None:
                if not self._tick():
                    return 1
                if all(s.ready for s in self.slots) and not next_job_at and self.jobs:
                    next_job_at = {job.name: time.monotonic() for job in self.jobs}
                self._run_jobs(job_processes, next_job_at)
                time.sleep(TICK)
            status = 0
            return 0
        finally:
            running = [s.process for s in reversed(self.slots) if s.process is not None]
            running += [job for job in job_processes.values() if job.poll() is None]
            stop_processes(running, self.policy.stop_timeout)
            if status == 0:
                self.say("Cap Num est arrêté.")

    def _on_signal(self, signum: int, _frame: object) -> None:
        self.stop_signal = signum

    def _tick(self) -> bool:
        """One round: exits, restarts, readiness. False when the supervisor must give up."""
        now = time.monotonic()
        for slot in self.slots:
            if slot.process is not None and slot.process.poll() is not None:
                if not self._exited(slot, slot.process.returncode, now):
                    return False
        for index, slot in enumerate(self.slots):
            first_start = slot.process is None and slot.restart_at is None and not slot.restarts
            if first_start and all(s.ready for s in self.slots[:index]):
                self._start(slot)
            elif slot.restart_at is not None and now >= slot.restart_at:
                self._start(slot)
            elif slot.process is not None and not slot.ready and not self._check_ready(slot):
                return False
        return True

    def _start(self, slot: _Slot) -> None:
        child = slot.child
        child.log.parent.mkdir(parents=True, exist_ok=True)
        with open(child.log, "a" if slot.restarts else "w", encoding="utf-8") as log:
            if slot.restarts:
                log.write(f"--- redémarrage n°{slot.restarts} ({time.strftime('%F %T')}) ---\n")
                log.flush()
            else:
                self.say(f"==> Démarrage : {child.name} (journal : {_shown(child.log)})")
            slot.process = spawn(child.command, child.env, log, self.cwd)
        if child.pid_file is not None:
            child.pid_file.parent.mkdir(parents=True, exist_ok=True)
            child.pid_file.write_text(f"{slot.process.pid}\n", encoding="utf-8")
        slot.started = time.monotonic()
        slot.restart_at = None
        slot.ready = child.ready_url is None
        if slot.ready:
            self._became_ready(slot)

    def _check_ready(self, slot: _Slot) -> bool:
        """Readiness of a starting child; False when it never came up the first time."""
        child = slot.child
        assert slot.process is not None and child.ready_url is not None
        if responds(child.ready_url):
            slot.ready = True
            self._became_ready(slot)
        elif time.monotonic() - slot.started > child.ready_timeout:
            if not slot.ever_ready:
                self.say(
                    f"ERREUR : {child.name} ne répond pas sur {child.ready_url} après "
                    f"{_seconds(child.ready_timeout)} s (voir {_shown(child.log)})."
                )
                return False
            self.say(f"==> {_capitalized(child.name)} ne répond pas : arrêt puis redémarrage")
            stop_processes([slot.process], self.policy.stop_timeout)
        return True

    def _became_ready(self, slot: _Slot) -> None:
        if slot.ever_ready and slot.child.ready_url:
            took = time.monotonic() - slot.crashed_at
            self.say(f"==> {_capitalized(slot.child.name)} répond de nouveau ({took:.1f} s).")
        slot.ever_ready = True
        if all(s.ever_ready for s in self.slots) and self.announce:
            for line in self.announce:
                self.say(line)
            self.announce = []

    def _exited(self, slot: _Slot, returncode: int, now: float) -> bool:
        """Schedules the restart of a child that exited; False when giving up."""
        child, process = slot.child, slot.process
        assert process is not None
        _signal_group(process, signal.SIGKILL)  # what it left behind in its group
        slot.process, slot.ready, slot.crashed_at = None, False, now
        cause = describe_exit(returncode)
        if not slot.ever_ready:
            self.say(
                f"ERREUR : {child.name} s'est arrêté pendant son démarrage ({cause}) ; "
                f"voir {_shown(child.log)}."
            )
            return False
        fast = now - slot.started < self.policy.stable_after
        slot.fast_crashes = slot.fast_crashes + 1 if fast else 0
        if slot.fast_crashes >= self.policy.max_fast_crashes:
            self.say(
                f"ERREUR : {child.name} s'est arrêté {slot.fast_crashes} fois de suite moins "
                f"de {_seconds(self.policy.stable_after)} s après son démarrage (dernière fois :"
                f" {cause}) : abandon, arrêt de tous les serveurs (voir {_shown(child.log)})."
            )
            return False
        delay = self.policy.delay(slot.fast_crashes)
        slot.restarts += 1
        slot.restart_at = now + delay
        self.say(
            f"==> {_capitalized(child.name)} s'est arrêté ({cause}) : "
            f"redémarrage n°{slot.restarts} dans {_seconds(delay)} s"
        )
        return True

    def _run_jobs(
        self, processes: dict[str, subprocess.Popen[bytes]], next_at: dict[str, float]
    ) -> None:
        now = time.monotonic()
        for job in self.jobs:
            if job.name not in next_at:
                continue
            running = processes.get(job.name)
            if running is not None and running.poll() is None:
                continue
            if now >= next_at[job.name]:
                job.log.parent.mkdir(parents=True, exist_ok=True)
                with open(job.log, "a", encoding="utf-8") as log:
                    processes[job.name] = spawn(job.command, job.env, log, self.cwd)
                next_at[job.name] = now + job.interval


def capnum_stack(environ: Mapping[str, str]) -> tuple[list[Child], list[Job]]:
    """Cap Num's action server, Rasa server and retention purge, as `scripts/servers.sh`
    starts them (same ports, log files, variables; CAPNUM_LOG_SUFFIX names the logs)."""
    var = Path(environ.get("CAPNUM_ROOT", ".")) / "var"
    suffix = environ.get("CAPNUM_LOG_SUFFIX", "")
    action_port = setting("CAPNUM_ACTION_PORT", environ)
    rasa_port = setting("CAPNUM_RASA_PORT", environ)
    python = sys.executable
    actions = Child(
        "le serveur d'actions",
        [python, "-m", "bot.actions", "--port", action_port],
        var / f"actions{suffix}.log",
        f"http://127.0.0.1:{action_port}/health",
        # rasa-sdk binds to SANIC_HOST (0.0.0.0 by default): keep it on the loopback.
        env={"SANIC_HOST": setting("CAPNUM_ACTION_HOST", environ)},
        ready_timeout=120,
    )
    rasa = Child(
        "le serveur Rasa",
        [python, "-m", "bot.server", "--model", "models",
         "--endpoints", setting("CAPNUM_ENDPOINTS", environ),
         "--credentials", "credentials.yml", "--interface", "127.0.0.1",
         "--port", rasa_port, "--enable-api"],  # token: CAPNUM_RASA_TOKEN (bot.server)
        var / f"rasa{suffix}.log",
        f"http://127.0.0.1:{rasa_port}/webhooks/webchat/",
        ready_timeout=300,
        pid_file=var / "pids" / f"rasa-{rasa_port}.pid",
    )
    jobs = []
    interval = float(setting("CAPNUM_PURGE_INTERVAL", environ))
    if interval > 0:
        days = setting("CAPNUM_RETENTION_DAYS", environ)
        jobs.append(Job("la purge des conversations",
                        [python, "-m", "bot.cli", "donnees", "purger", "--jours", days],
                        var / "purge.log", interval))
    return [actions, rasa], jobs


def load_spec(path: Path) -> tuple[list[Child], list[Job]]:
    """Children and jobs from a JSON file: {"children": [{"name", "command", "log",
    "ready_url", "env", "ready_timeout"}…], "jobs": [{"name", "command", "log", "interval"}…]}."""
    spec = json.loads(path.read_text(encoding="utf-8"))
    children = [Child(**{**c, "log": Path(c["log"])}) for c in spec.get("children", [])]
    jobs = [Job(**{**j, "log": Path(j["log"])}) for j in spec.get("jobs", [])]
    return children, jobs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.supervisor",
        description="Lance les serveurs de Cap Num, les redémarre s'ils s'arrêtent ; "
        "Ctrl+C arrête tout.",
    )
    parser.add_argument("--spec", type=Path, help="processus à lancer (JSON) au lieu de Cap Num")
    parser.add_argument("--annonce", action="append", default=[],
                        help="ligne affichée quand tout est prêt (répétable)")
    defaults = Policy()
    parser.add_argument("--premier-delai", type=float, default=defaults.first_delay)
    parser.add_argument("--delai-max", type=float, default=defaults.max_delay)
    parser.add_argument("--stable-apres", type=float, default=defaults.stable_after)
    parser.add_argument("--echecs-max", type=int, default=defaults.max_fast_crashes)
    parser.add_argument("--delai-arret", type=float, default=defaults.stop_timeout)
    args = parser.parse_args(argv)
    if args.spec:
        children, jobs = load_spec(args.spec)
        cwd = None
    else:
        children, jobs = capnum_stack(os.environ)
        cwd = Path(os.environ.get("CAPNUM_ROOT", "."))
    policy = Policy(args.premier_delai, args.delai_max, args.stable_apres, args.echecs_max,
                    args.delai_arret)
    return Supervisor(children, jobs, policy, args.annonce, cwd).run()


if __name__ == "__main__":
    sys.exit(main())

"""The run command's supervisor (`bot/supervisor.py`) on real, small child processes, and
the Rasa server's token from the environment (`bot/server.py`)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

from bot.supervisor import Policy, describe_exit

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")

# Serves 200 on 127.0.0.1:<argv[1]>; appends its pid to <argv[2]>.
SERVER = """
import http.server, os, sys
with open(sys.argv[2], "a") as f:
    f.write(f"{os.getpid()}\\n")
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""
# Ignores SIGTERM and leaves a grandchild in its process group; appends both pids to <argv[1]>.
STUBBORN = """
import os, signal, subprocess, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
with open(sys.argv[1], "a") as f:
    f.write(f"{os.getpid()}\\n{grandchild.pid}\\n")
while True:
    time.sleep(1)
"""
# Appends "pid start-time" to <argv[1]>, then exits with code 1 after a moment: 3 s on its
# third start (longer than the test's --stable-apres), 0.2 s otherwise.
CRASHER = """
import os, sys, time
with open(sys.argv[1], "a") as f:
    f.write(f"{os.getpid()} {time.time()}\\n")
starts = len(open(sys.argv[1]).read().splitlines())
time.sleep(3 if starts == 3 else 0.2)
sys.exit(1)
"""


def wait_for(predicate: Callable[[], T], timeout: float = 30.0, what: str = "") -> T:
    """Polls `predicate` until it returns something true (generous timeout, loaded CI)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timeout: {what}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def alive(pid: int) -> bool:
    """True when `pid` runs (a zombie no longer runs)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def pids(path: Path) -> list[int]:
    if not path.exists():
        return []
    return [int(line.split()[0]) for line in path.read_text().splitlines() if line.strip()]


def answers(url: str) -> bool:
    try:
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url, timeout=2):
            return True
    except OSError:
        return False


@dataclass
class Run:
    """A supervisor started as a subprocess, its output file and its spec's files."""

    process: subprocess.Popen[bytes]
    output: Path
    tmp: Path

    def text(self) -> str:
        return self.output.read_text(encoding="utf-8")

    def wait_output(self, fragment: str, timeout: float = 30.0) -> str:
        return wait_for(lambda: fragment in self.text() and self.text(), timeout, fragment)


def start_supervisor(
    tmp: Path, children: list[dict[str, object]], *options: str,
    jobs: list[dict[str, object]] | None = None,
) -> Run:
    """Starts `python -m bot.supervisor --spec …` on `children`, output in `tmp`."""
    spec = tmp / "spec.json"
    spec.write_text(json.dumps({"children": children, "jobs": jobs or []}), encoding="utf-8")
    output = tmp / "supervisor.out"
    with open(output, "w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.supervisor", "--spec", str(spec),
             "--annonce", "TOUT EST PRÊT", *options],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
        )
    return Run(process, output, tmp)


def clean_up(run: Run) -> None:
    """Kills the supervisor and every child it left (only after a failed test)."""
    if run.process.poll() is None:
        run.process.kill()
        run.process.wait()
    for pid_file in run.tmp.glob("*.pids"):
        for pid in pids(pid_file):
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def supervise(tmp_path: Path) -> Iterator[Callable[..., Run]]:
    """`start_supervisor` in the test's directory, cleaned up at the end."""
    runs: list[Run] = []

    def start(
        children: list[dict[str, object]], *options: str,
        jobs: list[dict[str, object]] | None = None,
    ) -> Run:
        runs.append(start_supervisor(tmp_path, children, *options, jobs=jobs))
        return runs[-1]

    yield start
    for run in runs:
        clean_up(run)


def server_child(tmp: Path, port: int) -> dict[str, object]:
    return {
        "name": "le faux serveur",
        "command": [sys.executable, "-c", SERVER, str(port), str(tmp / "server.pids")],
        "log": str(tmp / "server.log"),
        "ready_url": f"http://127.0.0.1:{port}/",
        "ready_timeout": 60,
    }


def test_killed_child_is_restarted_and_named(supervise: Callable[..., Run], tmp_path: Path):
    """A child killed with SIGKILL is restarted, answers again, and the line names it."""
    port = free_port()
    run = supervise([server_child(tmp_path, port)], "--premier-delai", "0.2")
    run.wait_output("TOUT EST PRÊT")
    first = pids(tmp_path / "server.pids")[-1]
    os.kill(first, signal.SIGKILL)
    text = run.wait_output("Le faux serveur répond de nouveau")
    assert "==> Le faux serveur s'est arrêté (signal SIGKILL) : redémarrage n°1 dans 0,2 s" in text
    second = pids(tmp_path / "server.pids")[-1]
    assert second != first and alive(second) and not alive(first)
    assert answers(f"http://127.0.0.1:{port}/")
    assert run.process.poll() is None
    assert "--- redémarrage n°1" in (tmp_path / "server.log").read_text()
    run.process.send_signal(signal.SIGINT)
    assert run.process.wait(30) == 0


def test_ctrl_c_stops_every_child_and_leaves_nothing(
    supervise: Callable[..., Run], tmp_path: Path
):
    """SIGINT stops all children (one ignores SIGTERM, one has a grandchild): exit 0, none left."""
    stubborn = {
        "name": "le processus têtu",
        "command": [sys.executable, "-c", STUBBORN, str(tmp_path / "stubborn.pids")],
        "log": str(tmp_path / "stubborn.log"),
    }
    run = supervise([server_child(tmp_path, free_port()), stubborn], "--delai-arret", "1")
    run.wait_output("TOUT EST PRÊT")
    wait_for(lambda: len(pids(tmp_path / "stubborn.pids")) == 2, what="pids du têtu")
    children = pids(tmp_path / "server.pids") + pids(tmp_path / "stubborn.pids")
    assert len(children) == 3 and all(alive(pid) for pid in children)
    # Own process groups: Ctrl+C in a terminal reaches the supervisor only.
    assert all(os.getpgid(pid) != os.getpgid(run.process.pid) for pid in children)
    run.process.send_signal(signal.SIGINT)
    assert run.process.wait(60) == 0
    assert run.text().rstrip().endswith("Cap Num est arrêté.")
    wait_for(lambda: not any(alive(pid) for pid in children), what="processus restants")


def test_periodic_job_runs_again_and_again(supervise: Callable[..., Run], tmp_path: Path):
    """A job (the retention purge's kind) runs once everything is ready, then every interval."""
    runs_file = tmp_path / "job.runs"
    job = {
        "name": "la tâche",
        "command": [sys.executable, "-c",
                    f"open({str(runs_file)!r}, 'a').write('x\\n'); print('purge faite')"],
        "log": str(tmp_path / "job.log"),
        "interval": 0.3,
    }
    run = supervise([server_child(tmp_path, free_port())], jobs=[job])
    run.wait_output("TOUT EST PRÊT")
    wait_for(lambda: runs_file.exists() and len(runs_file.read_text().split()) >= 3, what="tâche")
    assert "purge faite" in (tmp_path / "job.log").read_text()
    run.process.send_signal(signal.SIGINT)
    assert run.process.wait(30) == 0


@pytest.fixture(scope="module")
def crash_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Run, list[float]]]:
    """A crashing child beside a healthy one, back-off from 0.1 s, give-up at 3 fast crashes
    (one run for the module's two tests)."""
    tmp = tmp_path_factory.mktemp("crash")
    crasher = {
        "name": "le serveur fragile",
        "command": [sys.executable, "-c", CRASHER, str(tmp / "crasher.pids")],
        "log": str(tmp / "crasher.log"),
    }
    run = start_supervisor(
        tmp, [server_child(tmp, free_port()), crasher],
        "--premier-delai", "0.1", "--echecs-max", "3", "--stable-apres", "2",
    )
    try:
        run.process.wait(120)
        lines = (tmp / "crasher.pids").read_text().splitlines()
        yield run, [float(line.split()[1]) for line in lines]
    finally:
        clean_up(run)


def test_repeated_fast_crashes_make_it_give_up(crash_run: tuple[Run, list[float]]):
    """Fast crashes in a row: French message, everything stopped, non-zero exit."""
    run, _ = crash_run
    assert run.process.returncode == 1
    text = run.text()
    assert "==> Le serveur fragile s'est arrêté (code 1) : redémarrage n°1 dans 0,1 s" in text
    assert (
        "ERREUR : le serveur fragile s'est arrêté 3 fois de suite moins de 2 s après son "
        "démarrage (dernière fois : code 1) : abandon" in text
    )
    assert "Cap Num est arrêté." not in text
    left = pids(run.tmp / "server.pids") + pids(run.tmp / "crasher.pids")
    wait_for(lambda: not any(alive(pid) for pid in left), what="processus restants")


def test_back_off_grows_and_resets_after_a_stable_run(crash_run: tuple[Run, list[float]]):
    """Delays double at each fast crash, start again at the first after a long run, and
    are waited for."""
    run, starts = crash_run
    announced = [
        line.rsplit(" dans ", 1)[1] for line in run.text().splitlines() if " dans " in line
    ]
    # Starts 1-2 crash fast, start 3 lives longer than --stable-apres, 4-5 fast, 6 gives up.
    assert announced == ["0,1 s", "0,2 s", "0,1 s", "0,1 s", "0,2 s"]
    delays = [0.1, 0.2, 0.1, 0.1, 0.2]
    assert len(starts) == 6
    assert all(b - a >= 0.2 + d for a, b, d in zip(starts, starts[1:], delays, strict=False))


def test_policy_delays_double_up_to_the_cap():
    """The default back-off: 1, 2, 4… seconds, never more than 30 s."""
    policy = Policy()
    assert [policy.delay(n) for n in range(0, 8)] == [1, 1, 2, 4, 8, 16, 30, 30]


def test_exit_descriptions():
    """Exit codes and signals as the restart line shows them."""
    assert describe_exit(1) == "code 1"
    assert describe_exit(-signal.SIGKILL) == "signal SIGKILL"


def test_server_adds_the_token_from_the_environment():
    """`--enable-api` without `--auth-token`: the token comes from CAPNUM_RASA_TOKEN."""
    from bot.server import rasa_arguments

    argv = ["--model", "models", "--enable-api", "--port", "5005"]
    assert rasa_arguments(argv, {"CAPNUM_RASA_TOKEN": "s3cret"}) == [
        "rasa", "run", *argv, "--auth-token", "s3cret",
    ]
    explicit = ["--enable-api", "--auth-token", "autre"]
    assert rasa_arguments(explicit, {}) == ["rasa", "run", *explicit]
    assert rasa_arguments(["--port", "5005"], {}) == ["rasa", "run", "--port", "5005"]


@pytest.mark.parametrize("environ", [{}, {"CAPNUM_RASA_TOKEN": ""}, {"CAPNUM_RASA_TOKEN": " "}])
def test_server_refuses_an_api_without_token(environ, capsys):
    """`--enable-api` and no token: exit code 2 and a French message on stderr."""
    from bot.server import rasa_arguments

    with pytest.raises(SystemExit) as exited:
        rasa_arguments(["--enable-api", "--port", "5005"], environ)
    assert exited.value.code == 2
    assert "ERREUR : CAPNUM_RASA_TOKEN est vide" in capsys.readouterr().err

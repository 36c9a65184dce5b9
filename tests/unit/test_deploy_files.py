"""Deployment files (deploy/): what reaches the public side, how secrets are passed, who
the processes run as, and what restarts them. Pure file reading: nothing is built or run."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
NGINX_CONFS = ["nginx-compose.conf", "nginx.conf.template"]
BACKENDS = ["postgres", "redis", "actions", "rasa"]
PUBLIC_PREFIXES = {"/webhooks/webchat/", "/webhooks/telegram/"}
SYSTEMD_UNITS = ["capnum-rasa.service", "capnum-actions.service"]


def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yml").read_text(encoding="utf-8"))


def command_text(service: dict[str, Any]) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else str(command)


def networks_of(service: dict[str, Any]) -> set[str]:
    return set(service.get("networks") or [])


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    return [
        (m.group(1).upper(), m.group(2).strip())
        for m in re.finditer(r"^\s*([A-Za-z]+)\s+(.*)$", joined, re.M)
    ]


def nginx_locations(conf: str) -> list[tuple[str, str, str]]:
    """(modifier, path, body) of every `location` block of an nginx configuration."""
    text = re.sub(r"#[^\n]*", "", (DEPLOY / conf).read_text(encoding="utf-8"))
    found = []
    for match in re.finditer(r"\blocation\s+(=|~\*|~|\^~)?\s*(\S+)\s*\{", text):
        depth, i = 1, match.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        found.append((match.group(1) or "", match.group(2), text[match.end() : i - 1]))
    return found


def nginx_route(conf: str, path: str) -> tuple[str | None, bool]:
    """The location nginx picks for `path` (exact match first, then the longest prefix;
    regex locations are refused by a test) and whether it proxies the request."""
    locations = nginx_locations(conf)
    exact = [loc for loc in locations if loc[0] == "=" and loc[1] == path]
    prefixes = [loc for loc in locations if loc[0] in ("", "^~") and path.startswith(loc[1])]
    candidates = exact or sorted(prefixes, key=lambda loc: len(loc[1]), reverse=True)
    if not candidates:
        return None, False
    _, prefix, body = candidates[0]
    return prefix, re.search(r"\b\w+_pass\s", body) is not None


def unit(name: str) -> dict[str, list[str]]:
    """Key -> values of a systemd unit file (all sections together)."""
    values: dict[str, list[str]] = {}
    for line in (DEPLOY / name).read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            values.setdefault(key.strip(), []).append(value.strip())
    return values


# The Compose specification's JSON schema as docker-compose 1.29.2 ships it
# (compose/config/compose_spec.json in its PyPI wheel, Apache-2.0), copied here so that the
# check needs neither a container engine nor the network.
COMPOSE_SCHEMA = Path(__file__).resolve().parents[1] / "support" / "compose_spec.json"
COMPOSE_SCHEMA_SHA256 = "0dc04bd346dcfee1b1419628fff79937bbf076925f298f272a2b490e2b112bac"


def compose_errors(document: dict[str, Any]) -> list[str]:
    raw = COMPOSE_SCHEMA.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == COMPOSE_SCHEMA_SHA256
    validator = jsonschema.Draft7Validator(json.loads(raw))
    return [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(document)]


def test_compose_file_follows_the_compose_specification() -> None:
    """deploy/compose.yml validates against the Compose specification's schema, and the
    same check refuses a misspelt key and a wrong type."""
    assert compose_errors(compose()) == []
    misspelt = compose()
    misspelt["services"]["rasa"]["restart_policy"] = "always"
    assert any("restart_policy" in e for e in compose_errors(misspelt))
    wrong_type = compose()
    wrong_type["services"]["rasa"]["healthcheck"] = "curl localhost"
    assert compose_errors(wrong_type)


@pytest.mark.skipif(
    not shutil.which("docker")
    or subprocess.run(["docker", "compose", "version"], capture_output=True).returncode != 0,
    reason="no docker compose on this machine (the schema check above still runs)",
)
def test_docker_compose_config_accepts_the_file() -> None:
    """Where docker compose exists, `docker compose config` accepts the file."""
    text = (DEPLOY / "compose.yml").read_text(encoding="utf-8")
    env = {**os.environ, **{name: "x" for name in re.findall(r"\$\{(\w+):\?", text)}}
    result = subprocess.run(
        ["docker", "compose", "-f", str(DEPLOY / "compose.yml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr


def test_compose_refuses_to_start_without_the_secrets() -> None:
    """The Rasa token, the PostgreSQL password and the public URL use `${VAR:?...}`."""
    text = (DEPLOY / "compose.yml").read_text(encoding="utf-8")
    services = compose()["services"]
    assert re.fullmatch(
        r"\$\{CAPNUM_RASA_TOKEN:\?[^}]+\}", services["rasa"]["environment"]["CAPNUM_RASA_TOKEN"]
    )
    for name in ("CAPNUM_RASA_TOKEN", "POSTGRES_PASSWORD", "CAPNUM_PUBLIC_URL"):
        uses = re.findall(r"\$\{" + name + r"([^}]*)\}", text)
        assert uses and all(use.startswith(":?") for use in uses), (name, uses)


def test_no_command_carries_the_token() -> None:
    """No compose command nor the image's CMD has `--auth-token` (visible in `ps`)."""
    for name, service in compose()["services"].items():
        assert "--auth-token" not in command_text(service), name
    for instruction, arguments in dockerfile_instructions():
        assert "--auth-token" not in arguments, instruction
        assert not (instruction == "ENV" and "CAPNUM_RASA_TOKEN" in arguments)


def test_action_server_is_not_bound_to_every_interface() -> None:
    """The action server's SANIC_HOST is set and is not 0.0.0.0 (rasa_sdk's default)."""
    actions = compose()["services"]["actions"]
    host = actions["environment"].get("SANIC_HOST")
    assert host and host not in ("0.0.0.0", "::")
    assert "0.0.0.0" not in command_text(actions)


def test_backends_publish_no_port_and_sit_on_the_internal_network() -> None:
    """Rasa, actions, PostgreSQL and Redis publish no port, are on `interne`, not on `public`."""
    services = compose()["services"]
    for name in BACKENDS:
        assert not services[name].get("ports"), name
        assert "interne" in networks_of(services[name]), name
        assert "public" not in networks_of(services[name]), name
    for name in ("postgres", "redis", "actions"):
        assert networks_of(services[name]) == {"interne"}, name


def test_internal_network_is_internal_and_only_nginx_is_public() -> None:
    """`interne` is `internal: true`; nginx alone is on `public` (and on `interne`)."""
    document = compose()
    assert document["networks"]["interne"]["internal"] is True
    on_public = {n for n, s in document["services"].items() if "public" in networks_of(s)}
    assert on_public == {"nginx"}
    assert networks_of(document["services"]["nginx"]) == {"public", "interne"}
    published = {n for n, s in document["services"].items() if s.get("ports")}
    assert published == {"nginx"}


def test_every_service_restarts_and_backends_have_health_checks() -> None:
    """`restart: unless-stopped` everywhere; health checks on rasa, actions, PostgreSQL
    (pg_isready) and Redis (redis-cli ping)."""
    services = compose()["services"]
    for name, service in services.items():
        assert service.get("restart") == "unless-stopped", name
    for name in BACKENDS:
        assert services[name].get("healthcheck", {}).get("test"), name
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "redis-cli ping" in " ".join(services["redis"]["healthcheck"]["test"])
    assert "127.0.0.1:5005" in " ".join(services["rasa"]["healthcheck"]["test"])
    assert "/health" in " ".join(services["actions"]["healthcheck"]["test"])


def test_services_wait_for_healthy_dependencies() -> None:
    """Rasa waits for healthy PostgreSQL, Redis and actions; nginx for a healthy Rasa."""
    services = compose()["services"]
    expected = {
        "rasa": ["postgres", "redis", "actions"],
        "nginx": ["rasa"],
        "actions": ["postgres"],
    }
    for name, dependencies in expected.items():
        depends_on = services[name]["depends_on"]
        for dependency in dependencies:
            assert depends_on[dependency]["condition"] == "service_healthy", (name, dependency)


@pytest.mark.parametrize("conf", NGINX_CONFS)
def test_nginx_has_no_catch_all_proxy_nor_regex_location(conf: str) -> None:
    """`location /` exists and answers 404 instead of proxying; no regex location could
    take precedence over the prefixes."""
    locations = nginx_locations(conf)
    assert all(modifier in ("", "=") for modifier, _, _ in locations), locations
    catch_all = [body for modifier, path, body in locations if (modifier, path) == ("", "/")]
    assert len(catch_all) == 1
    assert not re.search(r"\b\w+_pass\s", catch_all[0])
    assert re.search(r"\breturn\s+404\s*;", catch_all[0])


@pytest.mark.parametrize("conf", NGINX_CONFS)
def test_nginx_proxies_only_the_two_webhook_locations(conf: str) -> None:
    """The only proxying locations are /webhooks/webchat/ and /webhooks/telegram/, each
    refusing a raw URI outside its own prefix."""
    proxying = {
        path: body for _, path, body in nginx_locations(conf) if re.search(r"\b\w+_pass\s", body)
    }
    assert set(proxying) == PUBLIC_PREFIXES
    for path, body in proxying.items():
        assert re.search(r"\$request_uri\s+!~\s+\"\^" + re.escape(path) + '"', body), path


@pytest.mark.parametrize("conf", NGINX_CONFS)
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/status",
        "/version",
        "/domain",
        "/conversations/abc/tracker",
        "/conversations/abc/messages",
        "/model/parse",
        "/model",
        "/webhooks/rest/webhook",
        "/webhooks/callback/webhook",
        "/webhooks/webchatX/webhook",
    ],
)
def test_nginx_does_not_forward_the_rasa_api(conf: str, path: str) -> None:
    """The Rasa HTTP API and the other channels are not forwarded."""
    assert nginx_route(conf, path)[1] is False, nginx_route(conf, path)


@pytest.mark.parametrize("conf", NGINX_CONFS)
@pytest.mark.parametrize(
    "path",
    [
        "/webhooks/webchat/",
        "/webhooks/webchat/webhook",
        "/webhooks/webchat/static/widget.js",
        "/webhooks/telegram/webhook",
    ],
)
def test_nginx_forwards_the_web_chat_and_telegram(conf: str, path: str) -> None:
    """The web chat (page, assets, webhook) and the Telegram webhook are forwarded."""
    assert nginx_route(conf, path)[1] is True


def test_telegram_location_matches_the_channel_name() -> None:
    """The Telegram location is the one Rasa serves (`/webhooks/<name()>/`)."""
    source = (DEPLOY.parent / "bot" / "channels" / "telegram" / "updates.py").read_text(
        encoding="utf-8"
    )
    assert re.search(r'^CHANNEL = "telegram"$', source, re.M)


def test_dockerfile_runs_as_a_created_non_root_user() -> None:
    """The image creates its user and its last USER is neither root nor uid 0."""
    instructions = dockerfile_instructions()
    runs = " ".join(arguments for instruction, arguments in instructions if instruction == "RUN")
    assert re.search(r"\buseradd\b.*--uid 1000\b", runs)
    users = [arguments for instruction, arguments in instructions if instruction == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    # Application files are not handed over to that user, only var/.
    assert not any("--chown" in a for i, a in instructions if i in ("COPY", "ADD"))
    assert re.findall(r"chown\s+(?:-\w+\s+)*\S+\s+(\S+)", runs) == ["/app/var"]


def test_dockerfile_cmd_enables_the_api_with_the_token_from_the_environment() -> None:
    """The default CMD has --enable-api but neither --auth-token nor --cors."""
    commands = [a for i, a in dockerfile_instructions() if i == "CMD"]
    assert len(commands) == 1
    command = json.loads(commands[0])
    assert command[:3] == ["python", "-m", "bot.server"]
    assert "--enable-api" in command
    assert not any(arg.startswith(("--auth-token", "--cors")) for arg in command)
    assert "--interface" in command


def test_dockerfile_has_a_health_check() -> None:
    """HEALTHCHECK calls the Rasa server on 127.0.0.1:5005 with Python (no curl)."""
    checks = [a for i, a in dockerfile_instructions() if i == "HEALTHCHECK"]
    assert len(checks) == 1
    assert "urllib" in checks[0] and "http://127.0.0.1:5005/" in checks[0]


@pytest.mark.parametrize("name", SYSTEMD_UNITS)
def test_systemd_units_restart_and_are_confined(name: str) -> None:
    """Each unit restarts on failure and runs confined as capnum with /etc/capnum/env."""
    values = unit(name)
    assert values["Restart"] == ["on-failure"]
    assert values["RestartSec"] == ["2"]
    assert values["User"] == ["capnum"]
    assert values["EnvironmentFile"] == ["/etc/capnum/env"]
    assert values["NoNewPrivileges"] == ["yes"]
    assert values["ProtectSystem"] == ["strict"]
    assert values["ReadWritePaths"] == ["/opt/capnum/var"]
    assert "--auth-token" not in " ".join(values["ExecStart"])


def test_systemd_units_bind_localhost() -> None:
    """Rasa is bound to 127.0.0.1 with the API on; the action server's SANIC_HOST is 127.0.0.1."""
    rasa = " ".join(unit("capnum-rasa.service")["ExecStart"])
    assert "--interface 127.0.0.1" in rasa and "--enable-api" in rasa
    environment = " ".join(unit("capnum-actions.service")["Environment"]).split()
    assert "SANIC_HOST=127.0.0.1" in environment

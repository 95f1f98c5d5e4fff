"""Static checks of the deployment files: docker-compose.yml, deploy/Dockerfile, .env.example.

No Docker engine or server is needed: the files are parsed and their structure asserted.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from nkohub_shared.settings import ServiceSettings, SettingsError

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = ROOT / ".env.example"

APP_PORTS = {"registry": 8001, "events": 8002, "notifications": 8003, "publishing": 8004}
INFRA = ("mongo", "rabbitmq", "mailpit")
APP_DEPENDENCIES = {
    "registry": {"mongo", "rabbitmq"},
    "events": {"mongo", "rabbitmq"},
    "notifications": {"mongo", "rabbitmq", "mailpit"},
    "publishing": {"mongo", "rabbitmq"},
}
KEY_SETTINGS = (
    "NKOHUB_STAFF_TOKEN_PUBLIC_KEY",
    "NKOHUB_LINK_SECRET",
    "NKOHUB_PERSON_KEY_SECRET",
)
REQUIRED_SETTINGS = ("NKOHUB_MONGODB_URL", "NKOHUB_AMQP_URL", *KEY_SETTINGS)
MONGO_USERS_SCRIPT = ROOT / "deploy" / "mongo" / "create-service-users.js"
REQUIRED_INTERPOLATION = re.compile(r"\$\{(NKOHUB_[A-Z0-9_]+):\?[^}]+\}")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
INTERPOLATION = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    # safe_load resolves the YAML anchors and `<<` merge keys the file uses.
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict), "docker-compose.yml must be a mapping"
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    services = compose.get("services")
    assert isinstance(services, dict), "docker-compose.yml has no services mapping"
    return services


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return DOCKERFILE.read_text(encoding="utf-8")


def published_ports(service: dict[str, Any]) -> set[tuple[int, int]]:
    """(host, container) port pairs from short ("[ip:]host:container[/proto]") or long syntax."""
    pairs: set[tuple[int, int]] = set()
    for entry in service.get("ports", []):
        if isinstance(entry, dict):
            pairs.add((int(entry["published"]), int(entry["target"])))
            continue
        spec = str(entry).split("/", 1)[0]
        parts = spec.rsplit(":", 2)
        if len(parts) < 2:
            continue  # container port only: published on a random host port
        pairs.add((int(parts[-2]), int(parts[-1])))
    return pairs


def environment_names(service: dict[str, Any]) -> set[str]:
    env = service.get("environment") or {}
    if isinstance(env, dict):
        return set(env)
    return {str(item).split("=", 1)[0] for item in env}


def environment_value(service: dict[str, Any], name: str) -> str | None:
    env = service.get("environment") or {}
    if isinstance(env, dict):
        value = env.get(name)
        return None if value is None else str(value)
    for item in env:
        key, _, value = str(item).partition("=")
        if key == name:
            return value
    return None


def healthcheck_test(service: dict[str, Any]) -> str:
    check = service.get("healthcheck")
    assert isinstance(check, dict), "no healthcheck"
    assert not check.get("disable"), "healthcheck disabled"
    test = check.get("test")
    assert test, "healthcheck has no test"
    if isinstance(test, list):
        assert test[0] in ("CMD", "CMD-SHELL"), f"healthcheck test must start with CMD: {test}"
        return " ".join(str(part) for part in test[1:])
    return str(test)


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with line continuations joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", text)
    result = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, args = line.partition(" ")
        result.append((keyword.upper(), args.strip()))
    return result


def env_example_lines() -> tuple[dict[str, str], set[str], list[str]]:
    """Active assignments, names shown commented out (`# NAME=value`), and the raw lines."""
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    active: dict[str, str] = {}
    commented: set[str] = set()
    for line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            match = re.match(r"#\s*([A-Za-z_][A-Za-z0-9_]*)=", stripped)
            if match:
                commented.add(match.group(1))
            continue
        name, sep, value = stripped.removeprefix("export ").partition("=")
        assert sep, f".env.example line is not NAME=value: {line!r}"
        assert ENV_NAME.match(name.strip()), f"bad variable name in .env.example: {name!r}"
        active[name.strip()] = value.strip()
    return active, commented, lines


# ------------------------------------------------------------------------- compose file


def test_all_seven_services_are_defined(services: dict[str, dict[str, Any]]) -> None:
    expected = set(INFRA) | set(APP_PORTS)
    missing = expected - set(services)
    assert not missing, f"services missing from docker-compose.yml: {sorted(missing)}"


@pytest.mark.parametrize("name", sorted(APP_PORTS))
def test_app_service_builds_from_shared_dockerfile(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    build = services[name].get("build")
    assert isinstance(build, dict), f"{name}: build must be a mapping with context/dockerfile/args"
    context = (COMPOSE_FILE.parent / build.get("context", ".")).resolve()
    assert context == ROOT, f"{name}: build context must be the repository root, got {context}"
    dockerfile = (context / build.get("dockerfile", "Dockerfile")).resolve()
    assert dockerfile == DOCKERFILE.resolve(), f"{name}: builds from {dockerfile}"
    assert DOCKERFILE.is_file()
    args = build.get("args") or {}
    if isinstance(args, list):
        args = dict(str(item).split("=", 1) for item in args)
    assert args.get("SERVICE") == name, f"{name}: build arg SERVICE is {args.get('SERVICE')!r}"


@pytest.mark.parametrize(("name", "port"), sorted(APP_PORTS.items()))
def test_app_service_publishes_its_port(
    services: dict[str, dict[str, Any]], name: str, port: int
) -> None:
    assert (port, port) in published_ports(services[name]), (
        f"{name}: must publish {port}:{port}, has {services[name].get('ports')}"
    )
    # The port the service binds to (and its health check probes) must be the published one.
    bound = environment_value(services[name], "NKOHUB_HTTP_PORT")
    assert bound in (None, str(port)), f"{name}: NKOHUB_HTTP_PORT={bound}, expected {port}"


@pytest.mark.parametrize("name", sorted(APP_PORTS))
def test_app_service_healthcheck_probes_readiness(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    assert "/health/ready" in healthcheck_test(services[name])


@pytest.mark.parametrize("name", sorted(APP_PORTS))
def test_app_service_waits_for_healthy_infrastructure(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    depends_on = services[name].get("depends_on")
    # The list form means condition service_started, which is not enough.
    assert isinstance(depends_on, dict), f"{name}: depends_on must use the long form"
    for dependency in APP_DEPENDENCIES[name]:
        assert dependency in depends_on, f"{name}: does not depend on {dependency}"
        condition = (depends_on[dependency] or {}).get("condition")
        assert condition == "service_healthy", f"{name} -> {dependency}: condition {condition}"


@pytest.mark.parametrize("name", sorted(APP_PORTS))
def test_app_service_runtime_policy(services: dict[str, dict[str, Any]], name: str) -> None:
    service = services[name]
    assert service.get("restart") == "unless-stopped"
    env_files = service.get("env_file")
    env_files = env_files if isinstance(env_files, list) else [env_files]
    paths = [entry["path"] if isinstance(entry, dict) else entry for entry in env_files]
    assert ".env" in paths, f"{name}: env_file must include .env, has {paths}"


@pytest.mark.parametrize("name", sorted(APP_PORTS))
def test_app_service_points_at_infrastructure_by_service_name(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    service = services[name]
    mongo_url = environment_value(service, "NKOHUB_MONGODB_URL") or ""
    amqp_url = environment_value(service, "NKOHUB_AMQP_URL") or ""
    assert re.match(r"mongodb://([^@/]+@)?mongo:", mongo_url), f"{name}: {mongo_url!r}"
    assert re.match(r"amqps?://([^@/]+@)?rabbitmq:", amqp_url), f"{name}: {amqp_url!r}"
    if name == "notifications":
        assert environment_value(service, "NKOHUB_SMTP_HOST") == "mailpit"
        assert environment_value(service, "NKOHUB_SMTP_PORT") == "1025"


def test_app_service_environment_uses_nkohub_prefix(services: dict[str, dict[str, Any]]) -> None:
    seen: set[str] = set()
    for name in APP_PORTS:
        names = environment_names(services[name])
        # Variables interpolated into the service definition count as named there too.
        names |= set(INTERPOLATION.findall(yaml.safe_dump(services[name])))
        stray = sorted(n for n in names if not n.startswith("NKOHUB_"))
        assert not stray, f"{name}: environment variables without NKOHUB_ prefix: {stray}"
        seen |= names
    assert {"NKOHUB_MONGODB_URL", "NKOHUB_AMQP_URL"} <= seen


@pytest.mark.parametrize("name", INFRA)
def test_infrastructure_has_healthcheck(services: dict[str, dict[str, Any]], name: str) -> None:
    probe = {"mongo": "ping", "rabbitmq": "rabbitmq-diagnostics", "mailpit": "readyz"}[name]
    assert probe in healthcheck_test(services[name])


def test_infrastructure_images(services: dict[str, dict[str, Any]]) -> None:
    mongo = str(services["mongo"].get("image", ""))
    rabbitmq = str(services["rabbitmq"].get("image", ""))
    mailpit = str(services["mailpit"].get("image", ""))
    assert re.fullmatch(r"(docker\.io/)?(library/)?mongo:[78](\.[0-9]+)*(-\S+)?", mongo), mongo
    assert re.fullmatch(
        r"(docker\.io/)?(library/)?rabbitmq:4(\.[0-9]+)*-management(-alpine)?", rabbitmq
    ), rabbitmq
    assert re.fullmatch(r"(docker\.io/)?axllent/mailpit(:\S+)?", mailpit), mailpit


def test_infrastructure_ports(services: dict[str, dict[str, Any]]) -> None:
    rabbitmq = {target for _, target in published_ports(services["rabbitmq"])}
    mailpit = {target for _, target in published_ports(services["mailpit"])}
    assert {5672, 15672} <= rabbitmq
    assert {8025, 1025} <= mailpit


def test_named_volumes_are_declared(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    declared = set(compose.get("volumes") or {})
    referenced: dict[str, str] = {}
    for name, service in services.items():
        for volume in service.get("volumes", []):
            if isinstance(volume, dict):
                if volume.get("type", "volume") == "volume" and volume.get("source"):
                    referenced[volume["source"]] = name
                continue
            source, sep, _ = str(volume).partition(":")
            if sep and not source.startswith((".", "/", "~", "$")):
                referenced[source] = name
    undeclared = {v: s for v, s in referenced.items() if v not in declared}
    assert not undeclared, f"volumes used but not declared: {undeclared}"
    # Data of both stateful services must survive `docker compose down`.
    assert {"mongo", "rabbitmq"} <= set(referenced.values())


# ---------------------------------------------------------------------------- Dockerfile


def test_dockerfile_selects_service_by_build_arg(dockerfile: str) -> None:
    instructions = dockerfile_instructions(dockerfile)
    args = [a.split("=", 1)[0] for kw, a in instructions if kw == "ARG"]
    assert "SERVICE" in args
    runs = " ".join(a for kw, a in instructions if kw == "RUN")
    assert re.search(r"uv sync\b.*--frozen", runs)
    assert re.search(r"--package\s+\"?nkohub-\$\{?SERVICE\}?", runs), "uv sync must use $SERVICE"
    assert "--no-dev" in runs
    assert "--no-editable" in runs
    stages = [a for kw, a in instructions if kw == "FROM"]
    assert len(stages) >= 2, "Dockerfile must be multi-stage"
    assert "python:3.11-slim" in dockerfile


def test_dockerfile_has_readiness_healthcheck(dockerfile: str) -> None:
    checks = [a for kw, a in dockerfile_instructions(dockerfile) if kw == "HEALTHCHECK"]
    assert checks, "Dockerfile has no HEALTHCHECK"
    assert any("/health/ready" in check and "urllib" in check for check in checks)


def test_dockerfile_runs_as_non_root_user(dockerfile: str) -> None:
    users = [a.split(":", 1)[0] for kw, a in dockerfile_instructions(dockerfile) if kw == "USER"]
    assert users, "Dockerfile has no USER instruction"
    assert users[-1] not in ("root", "0"), f"final USER is {users[-1]}"


def test_dockerfile_exposes_every_service_port(dockerfile: str) -> None:
    exposed = {
        int(port.split("/")[0])
        for kw, args in dockerfile_instructions(dockerfile)
        if kw == "EXPOSE"
        for port in args.split()
    }
    assert set(APP_PORTS.values()) <= exposed


def test_dockerignore_keeps_local_state_out_of_the_image() -> None:
    patterns = {
        line.strip().rstrip("/")
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    }
    for pattern in (".git", ".venv", ".env", "deploy/mongo-wire/target", ".local"):
        assert pattern in patterns, f".dockerignore lacks {pattern}"
    assert {"**/__pycache__", "__pycache__"} & patterns
    assert {"**/*.pyc", "*.pyc"} & patterns


# -------------------------------------------------------------------------- .env.example


def test_env_example_variables_use_nkohub_prefix() -> None:
    active, commented, _ = env_example_lines()
    assert active, ".env.example sets no variables"
    stray = sorted(n for n in set(active) | commented if not n.startswith("NKOHUB_"))
    assert not stray, f".env.example variables without NKOHUB_ prefix: {stray}"


def test_env_example_sets_required_settings() -> None:
    active, _, _ = env_example_lines()
    for name in REQUIRED_SETTINGS:
        assert active.get(name), f".env.example must set {name}"
    assert active["NKOHUB_MONGODB_URL"].startswith(("mongodb://", "mongodb+srv://"))
    assert active["NKOHUB_AMQP_URL"].startswith(("amqp://", "amqps://"))


def test_a_service_refuses_to_start_with_the_example_keys(monkeypatch) -> None:
    """A copied .env.example must not start a service: its keys are public placeholders."""
    active, _, _ = env_example_lines()
    for name, value in active.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as refused:
        ServiceSettings.load(_env_file=None)
    for name in KEY_SETTINGS:
        assert f"{name} is malformed" in str(refused.value), name


def test_compose_never_hands_the_private_key_to_a_service(
    services: dict[str, dict[str, Any]],
) -> None:
    for name in APP_PORTS:
        environment = services[name].get("environment", {})
        assert environment.get("NKOHUB_STAFF_TOKEN_PRIVATE_KEY") == "", name


def test_env_example_documents_each_variable() -> None:
    _, _, lines = env_example_lines()
    for index, line in enumerate(lines):
        if line.strip() and not line.lstrip().startswith("#"):
            previous = lines[index - 1].strip() if index else ""
            assert previous.startswith("#") or "=" in previous, (
                f"{line.split('=', 1)[0]} in .env.example has no comment above it"
            )


def test_env_example_documents_compose_variables(services: dict[str, dict[str, Any]]) -> None:
    active, commented, _ = env_example_lines()
    documented = set(active) | commented
    used = set().union(*(environment_names(services[name]) for name in APP_PORTS))
    undocumented = sorted(used - documented)
    assert not undocumented, f"set in docker-compose.yml but not in .env.example: {undocumented}"


# ------------------------------------------------------------------- credentials, doors


def test_no_default_credentials_anywhere() -> None:
    assert "guest" not in COMPOSE_FILE.read_text(encoding="utf-8")


def test_rabbitmq_user_and_password_come_from_env(services: dict[str, dict[str, Any]]) -> None:
    env = services["rabbitmq"].get("environment") or {}
    assert env.get("RABBITMQ_DEFAULT_USER") == "${NKOHUB_RABBITMQ_USER:-nkohub}"
    # `:?` makes Compose refuse to start without the password.
    assert REQUIRED_INTERPOLATION.fullmatch(str(env.get("RABBITMQ_DEFAULT_PASS"))), env
    assert "NKOHUB_RABBITMQ_PASSWORD" in str(env.get("RABBITMQ_DEFAULT_PASS"))
    for name in APP_PORTS:
        amqp_url = environment_value(services[name], "NKOHUB_AMQP_URL") or ""
        assert "${NKOHUB_RABBITMQ_PASSWORD:?" in amqp_url, name


def test_mongo_has_a_root_user_from_env(services: dict[str, dict[str, Any]]) -> None:
    env = services["mongo"].get("environment") or {}
    assert env.get("MONGO_INITDB_ROOT_USERNAME") == "${NKOHUB_MONGO_ROOT_USER:-root}"
    assert REQUIRED_INTERPOLATION.fullmatch(str(env.get("MONGO_INITDB_ROOT_PASSWORD"))), env


@pytest.mark.parametrize("name", [*sorted(APP_PORTS), "console"])
def test_each_service_logs_in_to_mongo_as_its_own_user(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    from urllib.parse import parse_qs, urlsplit

    url = environment_value(services[name], "NKOHUB_MONGODB_URL") or ""
    user, _, rest = url.removeprefix("mongodb://").partition(":")
    password, _, location = rest.partition("}@")
    database = f"nkohub_{name}"
    assert user == database, url
    variable = f"NKOHUB_MONGO_{name.upper()}_PASSWORD"
    assert password == f"${{{variable}:?set {variable} in .env", url
    parts = urlsplit(f"mongodb://{location}")
    assert parts.hostname == "mongo"
    assert parts.path == f"/{database}"
    assert parse_qs(parts.query) == {"authSource": [database]}


def test_service_users_are_limited_to_their_own_database(
    services: dict[str, dict[str, Any]],
) -> None:
    mounts = [str(volume) for volume in services["mongo"].get("volumes", [])]
    assert (
        "./deploy/mongo/create-service-users.js:"
        "/docker-entrypoint-initdb.d/create-service-users.js:ro"
    ) in mounts
    script = MONGO_USERS_SCRIPT.read_text(encoding="utf-8")
    listed = re.search(r"const services = \[([^\]]*)\]", script)
    assert listed, "the script must list the services"
    names = set(re.findall(r'"([a-z]+)"', listed.group(1)))
    assert set(APP_PORTS) <= names
    # One role, readWrite, on the user's own database; nothing that reaches other databases.
    assert re.findall(r"roles:\s*\[([^\]]*)\]", script) == ['{ role: "readWrite", db: database }']
    assert re.search(r"const database = `nkohub_\$\{service\}`", script)
    assert re.search(r"user: database", script)
    env = services["mongo"].get("environment") or {}
    for service in names:
        variable = f"NKOHUB_MONGO_{service.upper()}_PASSWORD"
        assert REQUIRED_INTERPOLATION.fullmatch(str(env.get(variable))), variable


def test_every_port_is_published_on_loopback_only(services: dict[str, dict[str, Any]]) -> None:
    """The services speak plain HTTP and the servers' management doors are powerful: the
    internet comes in through the TLS front, never straight to a container."""
    for name, service in services.items():
        for entry in service.get("ports", []):
            host_ip = entry.get("host_ip") if isinstance(entry, dict) else str(entry).split(":")[0]
            if name in ("proxy", "caddy"):
                continue
            assert host_ip == "127.0.0.1", f"{name}: {entry}"


@pytest.mark.parametrize("name", [*sorted(APP_PORTS), "console"])
def test_every_link_starts_with_the_site(services: dict[str, dict[str, Any]], name: str) -> None:
    """Behind the site every service's links start with its one URL, and Caddy routes each
    path to the service that answers it; one service's address given to all (the old
    NKOHUB_PUBLIC_BASE_URL in .env) would send every link in mail to that service."""
    assert (
        environment_value(services[name], "NKOHUB_SITE_URL")
        == "${NKOHUB_SITE_URL:-http://localhost}"
    )
    assert environment_value(services[name], "NKOHUB_PUBLIC_BASE_URL") is None
    active, _, _ = env_example_lines()
    assert "NKOHUB_PUBLIC_BASE_URL" not in active


def test_mailpit_is_the_only_plain_smtp(services: dict[str, dict[str, Any]]) -> None:
    notifications = services["notifications"]
    assert environment_value(notifications, "NKOHUB_SMTP_HOST") == "mailpit"
    assert environment_value(notifications, "NKOHUB_SMTP_STARTTLS") == "false"


def test_compose_variables_are_documented_in_env_example() -> None:
    active, commented, _ = env_example_lines()
    used = set(re.findall(r"\$\{(NKOHUB_[A-Z0-9_]+)", COMPOSE_FILE.read_text(encoding="utf-8")))
    undocumented = sorted(used - set(active) - commented)
    assert not undocumented, (
        f"interpolated in docker-compose.yml, not in .env.example: {undocumented}"
    )


def test_nkohub_secrets_replaces_every_placeholder() -> None:
    from nkohub_shared.keys import env_block

    active, _, _ = env_example_lines()
    placeholders = {name for name, value in active.items() if "CHANGE-ME" in value}
    printed = {line.split("=", 1)[0] for line in env_block().splitlines()}
    assert placeholders, "the example has no placeholders to replace"
    assert placeholders <= printed, sorted(placeholders - printed)


def test_only_the_console_holds_the_key_that_mints_staff_tokens(
    services: dict[str, dict[str, Any]],
) -> None:
    console = environment_value(services["console"], "NKOHUB_STAFF_TOKEN_PRIVATE_KEY") or ""
    assert REQUIRED_INTERPOLATION.fullmatch(console), console
    for name in APP_PORTS:
        assert environment_value(services[name], "NKOHUB_STAFF_TOKEN_PRIVATE_KEY") == "", name
    for service in APP_PORTS:
        url = environment_value(services["console"], f"NKOHUB_CONSOLE_{service.upper()}_URL")
        assert url == f"http://{service}:{APP_PORTS[service]}", service


# ------------------------------------------------------------------ the site and replicas


def test_caddy_is_the_site_in_front_of_every_service(services: dict[str, dict[str, Any]]) -> None:
    caddy = services["caddy"]
    assert str(caddy["image"]).startswith("caddy:")
    assert "./deploy/caddy/Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
    assert {(80, 80), (443, 443)} <= published_ports(caddy)
    environment = caddy["environment"]
    for name, port in APP_PORTS.items():
        # every replica the service's name resolves to, so `--scale` needs no edit
        assert environment[f"NKOHUB_UPSTREAMS_{name.upper()}"] == f"dynamic a {name} {port}"
        assert caddy["depends_on"][name] == {"condition": "service_healthy"}
    address = caddy["networks"]["default"]["ipv4_address"]
    for name in APP_PORTS:
        app_environment = services[name]["environment"]
        assert app_environment["NKOHUB_TRUSTED_PROXIES"] == f'["{address}"]', name
        assert "NKOHUB_SITE_URL" in app_environment, name


def test_app_logs_are_rotated_by_docker(services: dict[str, dict[str, Any]]) -> None:
    for name in (*APP_PORTS, "caddy"):
        logging = services[name]["logging"]
        assert logging["driver"] == "json-file"
        assert logging["options"]["max-size"] and logging["options"]["max-file"]


class _ComposeLoader(yaml.SafeLoader):
    """Compose's ``!reset`` tag (an override that empties a value)."""


_ComposeLoader.add_constructor(
    "!reset",
    lambda loader, node: (
        "reset",
        loader.construct_sequence(node) if isinstance(node, yaml.SequenceNode) else None,
    ),
)


def test_the_replicas_override_frees_the_fixed_host_ports() -> None:
    override = yaml.load(
        (ROOT / "deploy/compose/replicas.yml").read_text(encoding="utf-8"), Loader=_ComposeLoader
    )
    for name in APP_PORTS:
        assert override["services"][name]["ports"] == ("reset", []), name

"""The architecture's rules, read from the source with ``ast`` (nothing is imported or run).

``violations(root)`` lists every breach under ``root`` (a checkout) as one line each:
- no service imports another service; ``shared`` imports no service;
- nothing under a service's ``domain/`` imports infrastructure (pymongo, FastAPI,
  Starlette, FastStream, aio-pika, or the shared web, storage, bus and runtime modules);
- a service's ``service`` and ``repository`` rooms import no web layer (FastAPI,
  Starlette, the shared web modules): use cases and storage serve HTTP and events alike;
- no module outside a service's ``repository`` touches a collection;
- no module but the shared writer builds outbox entries or kicks the relay;
- no ``if TYPE_CHECKING:`` imports in a service (they hid import cycles);
- every service has the same rooms.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SERVICES_DIR = "services"
SHARED_PACKAGE = "nkohub_shared"
# Packages named nkohub_* that are not services (the contracts package imports none of them).
NOT_SERVICES = (SHARED_PACKAGE, "nkohub_demo", "nkohub_contracts")

DOMAIN_FORBIDDEN = (
    "pymongo",
    "motor",
    "fastapi",
    "starlette",
    "faststream",
    "aio_pika",
    "httpx",
    "nkohub_shared.web",
    "nkohub_shared.storage",
    "nkohub_shared.bus",
    "nkohub_shared.runtime",
    "nkohub_shared.serve",
)
WEB_LAYER = ("fastapi", "starlette", "nkohub_shared.web")
# The rooms below the HTTP translation: they must not depend on it.
BELOW_WEB = ("service", "service.py", "repository", "repository.py")
COLLECTION_METHODS = frozenset(
    {
        "insert_one",
        "insert_many",
        "update_one",
        "update_many",
        "replace_one",
        "delete_one",
        "delete_many",
        "find_one",
        "find_one_and_update",
        "find_one_and_delete",
        "find_one_and_replace",
        "aggregate",
        "count_documents",
        "estimated_document_count",
        "bulk_write",
        "distinct",
        "create_index",
        "create_indexes",
        "get_collection",
        "apply_once",
    }
)
OUTBOX_INTERNALS = frozenset({"with_outbox", "push_outbox", "strip_outbox", "outbox_entries"})
# The shared modules that ARE the outbox: its entries, the writer, the relay, the runtime.
OUTBOX_OWNERS = ("storage/outbox.py", "storage/writer.py", "bus/relay.py", "runtime.py")
ROOMS = (
    ("domain", "domain/"),
    ("service", "service.py or service/"),
    ("repository", "repository.py or repository/"),
    ("api", "api/"),
    ("consumers.py", "consumers.py"),
    ("context.py", "context.py"),
    ("settings.py", "settings.py"),
    ("app.py", "app.py"),
)


@dataclass(frozen=True)
class Module:
    path: Path  # relative to the checkout
    package: str  # nkohub_<service> or nkohub_shared
    inside: tuple[str, ...]  # parts below the package: ("repository", "posts.py")
    tree: ast.Module

    def where(self, node: ast.AST) -> str:
        return f"{self.path}:{getattr(node, 'lineno', 0)}"


def _modules(root: Path) -> Iterator[Module]:
    sources = [*sorted((root / SERVICES_DIR).glob("*/src/*")), root / "shared/src" / SHARED_PACKAGE]
    for package_dir in sources:
        if not package_dir.is_dir():
            continue
        for path in sorted(package_dir.rglob("*.py")):
            yield Module(
                path=path.relative_to(root),
                package=package_dir.name,
                inside=path.relative_to(package_dir).parts,
                tree=ast.parse(path.read_text(encoding="utf-8"), filename=str(path)),
            )


def _imports(module: Module) -> Iterator[tuple[ast.AST, str]]:
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node, node.module
            for alias in node.names:
                yield node, f"{node.module}.{alias.name}"


def _top(name: str) -> str:
    return name.split(".")[0]


def _is_service(name: str) -> bool:
    return name.startswith("nkohub_") and name not in NOT_SERVICES


def _import_rules(module: Module) -> Iterator[str]:
    in_domain = module.inside[0] == "domain" and module.package != SHARED_PACKAGE
    below_web = _is_service(module.package) and module.inside[0] in BELOW_WEB
    for node, name in _imports(module):
        top = _top(name)
        if module.package == SHARED_PACKAGE and _is_service(top):
            yield f"{module.where(node)}: shared imports the service {top}"
        elif _is_service(module.package) and _is_service(top) and top != module.package:
            yield f"{module.where(node)}: {module.package} imports another service, {top}"
        if in_domain and any(name == f or name.startswith(f + ".") for f in DOMAIN_FORBIDDEN):
            yield f"{module.where(node)}: domain imports infrastructure ({name})"
        if below_web and any(name == f or name.startswith(f + ".") for f in WEB_LAYER):
            yield f"{module.where(node)}: {module.inside[0]} imports the web layer ({name})"
        if in_domain and top == module.package and len(name.split(".")) > 1:
            room = name.split(".")[1]
            if room != "domain":
                yield f"{module.where(node)}: domain imports the {room} room of its service"


def _called_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    if isinstance(node.func, ast.Name):
        return node.func.id
    return None


def _is_db(node: ast.AST) -> bool:
    """``db`` or ``<anything>.db`` (a database handle)."""
    return (isinstance(node, ast.Name) and node.id == "db") or (
        isinstance(node, ast.Attribute) and node.attr == "db"
    )


def _storage_rules(module: Module) -> Iterator[str]:
    if not _is_service(module.package) or module.inside[0] in ("repository", "repository.py"):
        return
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Subscript) and _is_db(node.value):
            yield f"{module.where(node)}: a collection touched outside repository (db[...])"
        elif isinstance(node, ast.Attribute) and _is_db(node.value) and node.attr != "name":
            if not node.attr.startswith("_") and node.attr not in ("client", "command"):
                yield (
                    f"{module.where(node)}: a collection touched outside repository "
                    f"(db.{node.attr})"
                )
        elif isinstance(node, ast.Call) and _called_name(node) in COLLECTION_METHODS:
            yield (
                f"{module.where(node)}: a collection touched outside repository "
                f"({_called_name(node)})"
            )


def _outbox_rules(module: Module) -> Iterator[str]:
    rel = "/".join(module.inside)
    if module.package == SHARED_PACKAGE and rel in OUTBOX_OWNERS:
        return
    for node in ast.walk(module.tree):
        name = None
        if isinstance(node, ast.Call):
            name = _called_name(node)
        elif isinstance(node, ast.ImportFrom):
            imported = {a.name for a in node.names} & OUTBOX_INTERNALS
            name = next(iter(imported), None)
        if name in OUTBOX_INTERNALS:
            yield f"{module.where(node)}: outbox written by hand ({name}); use EventWriter"
        elif name == "kick" and module.package != SHARED_PACKAGE:
            yield f"{module.where(node)}: the relay kicked by hand; EventWriter does it"


def _type_checking_rules(module: Module) -> Iterator[str]:
    if not _is_service(module.package):
        return
    for node in ast.walk(module.tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield f"{module.where(node)}: imports under TYPE_CHECKING (an import cycle hidden)"


def _room_rules(root: Path) -> Iterator[str]:
    for package_dir in sorted((root / SERVICES_DIR).glob("*/src/nkohub_*")):
        service_dir = package_dir.parents[1]
        for room, label in ROOMS:
            if not any(
                (package_dir / candidate).exists()
                for candidate in (room, f"{room}.py", f"{room}/__init__.py")
            ):
                yield f"{package_dir.relative_to(root)}: no {label}"
        if not (package_dir / "domain").is_dir():
            yield f"{package_dir.relative_to(root)}: domain is not a package"
        if not (package_dir / "api").is_dir():
            yield f"{package_dir.relative_to(root)}: api is not a package"
        if not (service_dir / "README.md").exists():
            yield f"{service_dir.relative_to(root)}: no README.md"


def violations(root: Path) -> list[str]:
    found: list[str] = list(_room_rules(root))
    for module in _modules(root):
        for rule in (_import_rules, _storage_rules, _outbox_rules, _type_checking_rules):
            found.extend(rule(module))
    return found

"""The package's version follows its contracts.

``releases.json`` (next to this module) records, for every released version of the package,
each contract it carries (``<type>:v<version>``) with two fingerprints: of its fields
(names, types, required or not) and of its whole JSON schema (descriptions too). What a
change needs, against the previous release:

- a contract removed (a type, or a major version of one, no longer carried): **major**;
- a contract added (a new type, or a new major type ``<type>.v<N>``) or a field added to
  one (optional only: anything else is refused by the frozen-schema check): **minor**;
- descriptions changed, fields not: **patch**.

``python -m nkohub_contracts.releases check`` says whether the current contracts match the
record of the current version; ``record`` adds the current version to the record, refusing
a version whose bump is too small for the change (run both from a checkout).

Supported releases (the policy is the README's): every earlier release of the current major
version. Their wheels are kept in the checkout, ``contracts/releases/`` (built from the
commit that released them), and ``check`` reads each one's contracts with the wheel first on
the path: every contract it has must still be published, with every field it knows still
there with the same type and none newly required (``compatibility.breaking_changes``). So a
subscriber built against any supported release still decodes what the platform publishes.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import subprocess
import sys
import zipfile
from collections.abc import Mapping
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

from nkohub_contracts.base import IntegrationEvent, base_type, load_all_contracts
from nkohub_contracts.compatibility import breaking_changes, flatten

__all__ = [
    "RECORD_PATH",
    "RELEASES_DIR",
    "Fingerprint",
    "check_release",
    "fingerprints",
    "load_record",
    "needed_bump",
    "parse_version",
    "record_release",
    "release_contracts",
    "supported_release_problems",
    "supported_versions",
    "wheel_path",
]

RECORD_PATH = Path(__file__).with_name("releases.json")
RELEASES_DIR = Path("contracts/releases")  # in the platform's checkout
BUMPS = ("none", "patch", "minor", "major")

Fingerprint = dict[str, str]  # {"fields": sha256, "schema": sha256}
Contracts = Mapping[str, Fingerprint]  # "<type>:v<version>" -> fingerprint


def _sha(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def fingerprint(schema: dict[str, Any]) -> Fingerprint:
    fields = {path: list(signature) for path, signature in flatten(schema).items()}
    return {"fields": _sha(fields), "schema": _sha(schema)}


def fingerprints(
    models: Mapping[str, type[IntegrationEvent]] | None = None,
) -> dict[str, Fingerprint]:
    """The fingerprints of the given contracts (default: every contract of the package)."""
    models = load_all_contracts() if models is None else models
    return {
        f"{base_type(m.type)}:v{m.version}": fingerprint(m.model_json_schema())
        for m in models.values()
    }


def parse_version(text: str) -> tuple[int, int, int]:
    parts = text.split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(f"version {text!r} is not MAJOR.MINOR.PATCH")
    major, minor, patch = (int(p) for p in parts)
    return major, minor, patch


def bump_between(old: str, new: str) -> str:
    """The bump from ``old`` to ``new`` (``none`` if equal; ValueError if ``new`` is older)."""
    a, b = parse_version(old), parse_version(new)
    if b < a:
        raise ValueError(f"version {new} is older than {old}")
    if b[0] > a[0]:
        return "major"
    if b[1] > a[1]:
        return "minor"
    return "patch" if b[2] > a[2] else "none"


def needed_bump(old: Contracts, new: Contracts) -> tuple[str, list[str]]:
    """The smallest bump from ``old`` to ``new`` contracts, and why."""
    reasons: list[tuple[str, str]] = []
    for key in sorted(old.keys() - new.keys()):
        reasons.append(("major", f"{key} removed"))
    for key in sorted(new.keys() - old.keys()):
        reasons.append(("minor", f"{key} added"))
    for key in sorted(old.keys() & new.keys()):
        if old[key]["fields"] != new[key]["fields"]:
            reasons.append(("minor", f"{key} fields changed"))
        elif old[key]["schema"] != new[key]["schema"]:
            reasons.append(("patch", f"{key} descriptions changed"))
    bump = max((b for b, _ in reasons), key=BUMPS.index, default="none")
    return bump, [reason for _, reason in reasons]


def load_record(path: Path | None = None) -> dict[str, dict[str, Fingerprint]]:
    """The record of releases: the package's own (also from a wheel), or the file given."""
    if path is None:
        text = resources.files("nkohub_contracts").joinpath("releases.json").read_text("utf-8")
        return json.loads(text)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _ordered(record: Mapping[str, Any]) -> list[str]:
    return sorted(record, key=parse_version)


def check_release(
    version: str,
    current: Contracts,
    record: Mapping[str, Contracts],
) -> list[str]:
    """Problems between the package's ``version``, its ``current`` contracts and the
    ``record`` of releases; empty when they agree."""
    problems = []
    if version not in record:
        problems.append(
            f"version {version} is not recorded: run `python -m nkohub_contracts.releases record`"
        )
    elif dict(record[version]) != dict(current):
        _, reasons = needed_bump(record[version], current)
        problems.append(
            f"the contracts changed since {version} was recorded ({'; '.join(reasons)}): "
            "bump __version__ in nkohub_contracts/__init__.py, then run "
            "`python -m nkohub_contracts.releases record`"
        )
    versions = _ordered(record)
    if versions and parse_version(versions[-1]) > parse_version(version):
        problems.append(f"version {versions[-1]} is recorded, newer than the package's {version}")
    for old, new in pairwise(versions):
        needed, reasons = needed_bump(record[old], record[new])
        made = bump_between(old, new)
        if BUMPS.index(made) < BUMPS.index(needed):
            problems.append(
                f"{old} -> {new} is a {made} bump, the change needs {needed}: {'; '.join(reasons)}"
            )
    return problems


def record_release(version: str, current: Contracts, path: Path = RECORD_PATH) -> list[str]:
    """Add ``version`` with the ``current`` contracts to the record; returns the problems
    that prevented it (nothing written then)."""
    record = load_record(path) if path.exists() else {}
    if version in record:
        return (
            []
            if dict(record[version]) == dict(current)
            else check_release(version, current, record)
        )
    proposed = {**record, version: dict(current)}
    problems = check_release(version, current, proposed)
    if not problems:
        ordered = {v: proposed[v] for v in _ordered(proposed)}
        path.write_text(json.dumps(ordered, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return problems


def supported_versions(version: str, record: Mapping[str, Any]) -> list[str]:
    """The releases before ``version`` that subscribers may still be built against: every
    recorded release of the same major version."""
    major = parse_version(version)[0]
    return [
        v
        for v in _ordered(record)
        if parse_version(v)[0] == major and parse_version(v) < parse_version(version)
    ]


def wheel_path(version: str, releases_dir: Path = RELEASES_DIR) -> Path:
    return releases_dir / f"nkohub_contracts-{version}-py3-none-any.whl"


_READ_WHEEL = """
import json, sys
sys.path.insert(0, sys.argv[1])
import nkohub_contracts
from nkohub_contracts import load_all_contracts
assert nkohub_contracts.__file__.startswith(sys.argv[1]), nkohub_contracts.__file__
print(json.dumps({
    "version": nkohub_contracts.__version__,
    "schemas": {t: m.model_json_schema() for t, m in load_all_contracts().items()},
}))
"""


def release_contracts(wheel: Path) -> dict[str, Any]:
    """A released wheel's version, its own record and the schemas of its contracts, read by
    a separate interpreter with the wheel first on its path (the same pydantic)."""
    stat = wheel.stat()
    return copy.deepcopy(_read_wheel(str(wheel.resolve()), stat.st_size, stat.st_mtime_ns))


@functools.cache
def _read_wheel(wheel: str, size: int, mtime: int) -> dict[str, Any]:
    ran = subprocess.run(
        [sys.executable, "-c", _READ_WHEEL, wheel],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if ran.returncode != 0:
        raise RuntimeError(f"cannot read {wheel}: {ran.stderr.strip()[-500:]}")
    released = json.loads(ran.stdout)
    with zipfile.ZipFile(wheel) as archive:  # (1.0.0 reads its record only from a folder)
        released["record"] = json.loads(archive.read("nkohub_contracts/releases.json"))
    return released


def supported_release_problems(
    version: str,
    current: Mapping[str, dict[str, Any]],
    record: Mapping[str, Contracts],
    releases_dir: Path = RELEASES_DIR,
) -> list[str]:
    """What a subscriber built against a supported release would no longer decode in the
    ``current`` contracts (type -> data schema); also a missing or unrecorded wheel."""
    problems = []
    for old in supported_versions(version, record):
        wheel = wheel_path(old, releases_dir)
        if not wheel.exists():
            problems.append(
                f"{old} is supported but its wheel is missing: {wheel} "
                "(contracts/releases/README.md: build it from the commit that released it)"
            )
            continue
        released = release_contracts(wheel)
        if released["version"] != old or released["record"].get(old) != dict(record[old]):
            problems.append(f"{wheel} is not the recorded release {old}")
            continue
        for event_type, schema in sorted(released["schemas"].items()):
            if event_type not in current:
                problems.append(f"{old}: {event_type} is no longer published")
                continue
            for change in breaking_changes(schema, current[event_type]):
                problems.append(f"{old}: {event_type}: {change}")
    return problems


def main(argv: list[str]) -> int:
    from nkohub_contracts import __version__

    command = argv[0] if argv else "check"
    current = fingerprints()
    if command == "record":
        problems = record_release(__version__, current)
    elif command == "check":
        record = load_record()
        problems = check_release(__version__, current, record)
        if RELEASES_DIR.is_dir():  # a checkout: the supported releases' wheels are there
            schemas = {t: m.model_json_schema() for t, m in load_all_contracts().items()}
            problems += supported_release_problems(__version__, schemas, record)
            if not problems:
                print(
                    f"supported releases {', '.join(supported_versions(__version__, record))} "
                    f"decode what {__version__} publishes"
                )
    else:
        print("usage: python -m nkohub_contracts.releases [check|record]", file=sys.stderr)
        return 2
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"nkohub-contracts {__version__}: {len(current)} contracts, record agrees")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

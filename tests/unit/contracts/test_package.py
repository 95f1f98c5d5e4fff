"""nkohub-contracts stands alone: pydantic only, the same objects under the old names, a
version that follows its contracts, and a wheel that builds and works without the platform."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import ClassVar

import nkohub_contracts
from nkohub_contracts import IntegrationEvent, load_all_contracts
from nkohub_contracts.compatibility import FROZEN_DIR
from nkohub_contracts.releases import (
    check_release,
    fingerprints,
    load_record,
    needed_bump,
    record_release,
)

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "contracts"
SOURCE = PACKAGE / "src" / "nkohub_contracts"
MODULES = sorted(p.stem for p in SOURCE.glob("*.py") if p.stem != "__init__")


def _imported_tops(path: Path) -> set[str]:
    tops = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            tops |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            tops.add(node.module.split(".")[0])
    return tops


def test_the_package_imports_only_pydantic_and_the_standard_library():
    allowed = set(sys.stdlib_module_names) | {"pydantic", "nkohub_contracts", "__future__"}
    for path in sorted(SOURCE.glob("*.py")):
        assert _imported_tops(path) <= allowed, f"{path.name}: {_imported_tops(path) - allowed}"
    project = tomllib.loads((PACKAGE / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == "nkohub-contracts"
    assert project["dependencies"] == ["pydantic>=2.9,<3"]


def test_nothing_imports_the_contracts_from_their_old_home():
    """They moved to ``nkohub_contracts``; ``nkohub_shared.contracts`` is gone."""
    assert not (ROOT / "shared" / "src" / "nkohub_shared" / "contracts").exists()
    for path in sorted((ROOT / "services").rglob("*.py")) + sorted((ROOT / "shared").rglob("*.py")):
        assert "nkohub_shared.contracts" not in path.read_text(encoding="utf-8"), path


def test_the_package_version_agrees_with_its_recorded_contracts():
    problems = check_release(nkohub_contracts.__version__, fingerprints(), load_record())
    assert problems == [], "\n".join(problems)


def test_every_recorded_contract_of_this_version_has_a_frozen_schema():
    recorded = load_record()[nkohub_contracts.__version__]
    assert set(recorded) == {f"{t}:v{m.version}" for t, m in load_all_contracts().items()}
    for key in recorded:
        event_type, version = key.rsplit(":", 1)
        assert (ROOT / FROZEN_DIR / f"{event_type}.{version}.json").exists(), key


def _contracts(*, extra_field: bool = False, doc: str | None = None):
    """A package of two contracts, the second one changed as asked."""
    from pydantic import Field

    class Kept(IntegrationEvent):
        type: ClassVar[str] = "events.release.kept"
        key: str

    namespace: dict[str, object] = {
        "__annotations__": {"type": ClassVar[str], "key": str},
        "type": "events.release.changed",
        "__doc__": doc or "As published.",
        "__module__": __name__,
        "__qualname__": "Changed",
    }
    if extra_field:
        namespace["__annotations__"]["note"] = str | None  # type: ignore[index]
        namespace["note"] = Field(default=None)
    changed = type("Changed", (IntegrationEvent,), namespace)
    return {"events.release.kept": Kept, "events.release.changed": changed}


def test_a_contract_change_without_the_right_version_bump_is_refused(tmp_path):
    record_path = tmp_path / "releases.json"
    published = fingerprints(_contracts())
    assert record_release("1.0.0", published, record_path) == []
    assert check_release("1.0.0", published, load_record(record_path)) == []

    # a new optional field, the version left as it was: refused, the change named
    added = fingerprints(_contracts(extra_field=True))
    (problem,) = check_release("1.0.0", added, load_record(record_path))
    assert "the contracts changed since 1.0.0 was recorded" in problem
    assert "events.release.changed:v1 fields changed" in problem
    assert record_release("1.0.0", added, record_path) == [problem]
    # a patch bump is too small for a new field; a minor one is right
    refused = record_release("1.0.1", added, record_path)
    assert any("1.0.0 -> 1.0.1 is a patch bump, the change needs minor" in p for p in refused)
    assert "1.0.1" not in load_record(record_path), "nothing written when refused"
    assert record_release("1.1.0", added, record_path) == []

    # descriptions only: a patch
    reworded = fingerprints(_contracts(extra_field=True, doc="Reworded."))
    assert needed_bump(added, reworded) == (
        "patch",
        ["events.release.changed:v1 descriptions changed"],
    )
    assert record_release("1.1.1", reworded, record_path) == []

    # a contract no longer carried: a major bump
    removed = {k: v for k, v in reworded.items() if k != "events.release.kept:v1"}
    assert needed_bump(reworded, removed)[0] == "major"
    assert any("needs major" in p for p in record_release("1.2.0", removed, record_path))
    assert record_release("2.0.0", removed, record_path) == []
    assert list(load_record(record_path)) == ["1.0.0", "1.1.0", "1.1.1", "2.0.0"]
    # and a package older than its record is named
    assert "version 2.0.0 is recorded, newer than the package's 1.1.1" in check_release(
        "1.1.1", reworded, load_record(record_path)
    )


def test_the_wheel_builds_and_decodes_without_the_platform(tmp_path):
    built = subprocess.run(
        ["uv", "build", "--package", "nkohub-contracts", "--wheel", "-o", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("nkohub_contracts-*.whl")
    assert wheel.name == f"nkohub_contracts-{nkohub_contracts.__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read(
            f"nkohub_contracts-{nkohub_contracts.__version__}.dist-info/METADATA"
        ).decode()
    assert {"nkohub_contracts/releases.json", "nkohub_contracts/py.typed"} <= names
    assert {f"nkohub_contracts/{m}.py" for m in MODULES} <= names
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert requires == ["Requires-Dist: pydantic<3,>=2.9"]

    # The wheel, first on the path, decodes an event; nothing of the platform is loaded.
    script = f"""
import json, sys
sys.path.insert(0, {str(wheel)!r})
import nkohub_contracts
from nkohub_contracts import decode, new_event
from nkohub_contracts.events import FeedbackReceived
from nkohub_contracts.releases import check_release, fingerprints, load_record
envelope = new_event(FeedbackReceived(feedback_id="f", meetup_id="m", rating=5, has_comment=False))
decoded = decode(envelope.model_dump_json())
print(json.dumps({{
    "file": nkohub_contracts.__file__,
    "rating": decoded.data.rating,
    "record": check_release(nkohub_contracts.__version__, fingerprints(), load_record()),
    "platform": sorted(m for m in sys.modules if m.startswith("nkohub_") and m != "nkohub_contracts"
                       and not m.startswith("nkohub_contracts.")),
}}))
"""
    ran = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert ran.returncode == 0, ran.stderr
    answer = json.loads(ran.stdout)
    assert answer["file"].startswith(str(wheel)), "imported from the wheel"
    assert answer == {**answer, "rating": 5, "record": [], "platform": []}


def test_every_contract_with_a_persons_e_mail_is_marked_personal_data():
    """Those are never kept in the history stream (a stream cannot forget one message)."""
    from nkohub_contracts.compatibility import flatten

    for event_type, model in load_all_contracts().items():
        emails = [p for p in flatten(model.model_json_schema()) if p.split(".")[-1] == "email"]
        assert model.personal_data == bool(emails), (event_type, emails)
    personal = sorted(t for t, m in load_all_contracts().items() if m.personal_data)
    assert personal == [
        "events.consultation.booked",
        "events.consultation.cancelled",
        "events.consultation.completed",
        "events.meetup.speakers_listed",
        "events.registration.cancelled",
        "events.registration.confirmed",
        "events.registration.promoted",
        "events.registration.waitlisted",
        "registry.erasure.requested",
    ]

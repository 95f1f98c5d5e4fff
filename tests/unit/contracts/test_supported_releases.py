"""Supported old releases stay decodable: ``releases check`` reads the contracts of each
supported release's wheel (``contracts/releases/``) and refuses a current contract that
lost or retyped a field they know, made one required, or stopped being published."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest

import nkohub_contracts
from nkohub_contracts import load_all_contracts
from nkohub_contracts.releases import (
    load_record,
    release_contracts,
    supported_release_problems,
    supported_versions,
    wheel_path,
)

ROOT = Path(__file__).resolve().parents[3]
RELEASES = ROOT / "contracts" / "releases"


@pytest.fixture(scope="module")
def current() -> dict[str, dict[str, Any]]:
    return {t: m.model_json_schema() for t, m in load_all_contracts().items()}


def test_every_supported_release_decodes_what_is_published_today(current):
    record = load_record()
    supported = supported_versions(nkohub_contracts.__version__, record)
    assert supported[0] == "1.0.0", "the oldest supported release"
    assert nkohub_contracts.__version__ not in supported
    assert supported_release_problems(nkohub_contracts.__version__, current, record, RELEASES) == []
    oldest = release_contracts(wheel_path("1.0.0", RELEASES))
    assert oldest["version"] == "1.0.0"
    assert oldest["record"]["1.0.0"] == record["1.0.0"]
    assert len(oldest["schemas"]) == 25  # the mailing events came in 1.1.0


def test_a_change_an_old_release_cannot_decode_is_named(current):
    changed = copy.deepcopy(current)
    meetup = changed["events.meetup.scheduled"]["$defs"]["MeetupSnapshot"]
    del meetup["properties"]["title"]
    changed["events.feedback.received"]["properties"]["rating"] = {"type": "string"}
    changed["events.question.answered"]["required"].append("addressed_to")
    del changed["registry.person.erased"]
    record = load_record()
    supported = supported_versions(nkohub_contracts.__version__, record)
    problems = supported_release_problems(nkohub_contracts.__version__, changed, record, RELEASES)
    for release in supported:
        assert f"{release}: events.meetup.scheduled: field meetup.title was removed" in problems
        assert (
            f"{release}: events.feedback.received: field rating changed type: integer -> string"
            in problems
        )
        assert (
            f"{release}: events.question.answered: field addressed_to became required" in problems
        )
        assert f"{release}: registry.person.erased is no longer published" in problems
    assert len(problems) == 4 * len(supported)


def test_a_missing_or_wrong_wheel_is_named(tmp_path, current):
    record = load_record()
    shutil.copy(wheel_path("1.1.0", RELEASES), wheel_path("1.0.0", tmp_path))  # not 1.0.0
    problems = supported_release_problems(nkohub_contracts.__version__, current, record, tmp_path)
    missing = supported_versions(nkohub_contracts.__version__, record)[1:]
    assert problems == [
        f"{wheel_path('1.0.0', tmp_path)} is not the recorded release 1.0.0",
        *(
            f"{v} is supported but its wheel is missing: {wheel_path(v, tmp_path)} "
            "(contracts/releases/README.md: build it from the commit that released it)"
            for v in missing
        ),
    ]
    assert "1.1.0" in missing


def test_only_releases_of_the_current_major_before_it_are_supported():
    record = {v: {} for v in ("1.0.0", "1.1.0", "1.2.0", "2.0.0", "2.1.0")}
    assert supported_versions("1.2.0", record) == ["1.0.0", "1.1.0"]
    assert supported_versions("2.1.0", record) == ["2.0.0"]

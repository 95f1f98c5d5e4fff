"""Which failures are an outage (wait and retry) and which are the work's own (count them)."""

from __future__ import annotations

import pytest
from pymongo.errors import (
    AutoReconnect,
    DuplicateKeyError,
    ExecutionTimeout,
    NetworkTimeout,
    NotPrimaryError,
    OperationFailure,
    ServerSelectionTimeoutError,
    WriteError,
    WTimeoutError,
)

from nkohub_shared.availability import InfrastructureUnavailable, is_infrastructure_failure


def _labelled(label: str) -> OperationFailure:
    return OperationFailure("failed", code=1, details={"errorLabels": [label]})


@pytest.mark.parametrize(
    "exc",
    [
        ServerSelectionTimeoutError("no server"),
        AutoReconnect("connection closed"),
        NetworkTimeout("timed out"),
        NotPrimaryError("not primary"),
        ExecutionTimeout("operation exceeded time limit", code=50),
        WTimeoutError("waiting for replication timed out", code=64),
        OperationFailure("not writable primary", code=10107),
        OperationFailure("interrupted at shutdown", code=11600),
        _labelled("RetryableWriteError"),
        InfrastructureUnavailable("the SMTP relay is away"),
    ],
    ids=lambda exc: type(exc).__name__,
)
def test_an_outage_is_recognised(exc: Exception):
    assert is_infrastructure_failure(exc)


@pytest.mark.parametrize(
    "exc",
    [
        DuplicateKeyError("E11000 duplicate key", code=11000),
        WriteError("document failed validation", code=121),
        OperationFailure("not authorized", code=13),
        ValueError("bad data"),
        RuntimeError("failing on purpose"),
        KeyError("missing"),
    ],
    ids=lambda exc: type(exc).__name__,
)
def test_the_works_own_failure_is_not_an_outage(exc: Exception):
    assert not is_infrastructure_failure(exc)


def test_an_outage_raised_as_the_cause_of_another_error_counts():
    try:
        try:
            raise ServerSelectionTimeoutError("no server")
        except ServerSelectionTimeoutError as exc:
            raise RuntimeError("could not store") from exc
    except RuntimeError as wrapped:
        assert is_infrastructure_failure(wrapped)


def test_an_error_raised_while_handling_an_outage_is_not_one():
    try:
        try:
            raise ServerSelectionTimeoutError("no server")
        except ServerSelectionTimeoutError:
            raise ValueError("unrelated") from None
    except ValueError as unrelated:
        assert not is_infrastructure_failure(unrelated)

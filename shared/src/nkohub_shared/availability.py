"""Telling an outage of our own infrastructure from a failure of the work itself.

An outage (MongoDB unreachable, stalled, stepping down) is not the fault of the message
or request being handled: a consumer waits and retries it without spending the delivery
limit, and HTTP answers 503. Anything else is the work's own failure.

Counted as an outage:
- PyMongo's ``ConnectionFailure`` family: ``AutoReconnect``, ``NetworkTimeout``,
  ``NotPrimaryError``, ``ServerSelectionTimeoutError``, ``WaitQueueTimeoutError``;
- ``ExecutionTimeout`` (the server's time limit) and ``WTimeoutError`` (write concern not
  reached in time): the server is overloaded or replication lags;
- any ``PyMongoError`` whose ``timeout`` is true (the client's ``timeoutMS``), or that
  carries the ``RetryableWriteError``/``NetworkError``/``SystemOverloadedError`` labels;
- an ``OperationFailure`` with a code MongoDB defines as transient: not primary, shutting
  down, host unreachable, network timeout, interrupted by a replica-set change;
- ``InfrastructureUnavailable``, which code raises for a dependency of its own;
- any of these as the explicit cause (``raise … from``) of what was raised.

Not counted (the work's own failure): duplicate keys, validation, authorization and every
other ``OperationFailure`` — retrying them cannot help.
"""

from __future__ import annotations

from pymongo.errors import (
    ConnectionFailure,
    ExecutionTimeout,
    OperationFailure,
    PyMongoError,
    WTimeoutError,
)

# MongoDB's error codes of a server that is away, stepping down or shutting down.
TRANSIENT_CODES = frozenset(
    {
        6,  # HostUnreachable
        7,  # HostNotFound
        89,  # NetworkTimeout
        91,  # ShutdownInProgress
        134,  # ReadConcernMajorityNotAvailableYet
        189,  # PrimarySteppedDown
        262,  # ExceededTimeLimit
        9001,  # SocketException
        10058,  # LegacyNotPrimary
        10107,  # NotWritablePrimary
        11600,  # InterruptedAtShutdown
        11602,  # InterruptedDueToReplStateChange
        13435,  # NotPrimaryNoSecondaryOk
        13436,  # NotPrimaryOrSecondary
    }
)
TRANSIENT_LABELS = ("RetryableWriteError", "NetworkError", "SystemOverloadedError")
MAX_CAUSES = 5


class InfrastructureUnavailable(RuntimeError):
    """A dependency of ours is away; the work should be retried later, unchanged."""


def is_infrastructure_failure(exc: BaseException) -> bool:
    """Whether ``exc`` (or its explicit cause) is an outage rather than the work's fault."""
    current: BaseException | None = exc
    for _ in range(MAX_CAUSES):
        if current is None:
            return False
        if _is_outage(current):
            return True
        current = current.__cause__
    return False


def _is_outage(exc: BaseException) -> bool:
    if isinstance(exc, InfrastructureUnavailable | ConnectionFailure):
        return True
    if not isinstance(exc, PyMongoError):
        return False
    if isinstance(exc, ExecutionTimeout | WTimeoutError) or exc.timeout:
        return True
    if any(exc.has_error_label(label) for label in TRANSIENT_LABELS):
        return True
    return isinstance(exc, OperationFailure) and exc.code in TRANSIENT_CODES

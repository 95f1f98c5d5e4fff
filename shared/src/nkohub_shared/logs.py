"""Structured logs: one JSON line per record.

Every line names the time, level, service, replica, logger and message; the trace id and
span id of the OpenTelemetry span current when it was written (``nkohub_shared.tracing``:
the HTTP request, or the event being published or handled); and whatever the code passed
as ``extra`` (``event_id``, ``event_type``, ``queue``, ``actor``…). Lines go to standard
output (Compose collects them) or to a file rotated by size (the local runner).
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import sys
from datetime import UTC, datetime
from pathlib import Path

from opentelemetry import trace

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str, replica: str | None = None) -> None:
        super().__init__()
        self._service = service
        self._replica = replica

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "service": self._service,
        }
        if self._replica:
            line["replica"] = self._replica
        line["logger"] = record.name
        line["message"] = record.getMessage()
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            line["trace_id"] = trace.format_trace_id(span.trace_id)
            line["span_id"] = trace.format_span_id(span.span_id)
        line.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(
    service: str,
    level: str = "INFO",
    *,
    replica: str | None = None,
    file: Path | None = None,
    max_bytes: int = 10_000_000,
    backups: int = 5,
) -> None:
    handler: logging.Handler
    if file is None:
        handler = logging.StreamHandler(sys.stdout)
    else:
        file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            file, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
        )
    handler.setFormatter(JsonFormatter(service, replica))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("uvicorn.access", "aiormq", "aio_pika", "pymongo"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))

"""The FastAPI app factory every service uses."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.telemetry import TelemetryConfig
from pymongo.errors import PyMongoError

from nkohub_shared.availability import InfrastructureUnavailable, is_infrastructure_failure
from nkohub_shared.runtime import ServiceRuntime
from nkohub_shared.web.errors import ERROR_RESPONSES, error_body, install_error_handlers
from nkohub_shared.web.hardening import BodyLimit, ServiceDoor
from nkohub_shared.web.openapi import document_optional_staff

RETRY_AFTER_SECONDS = 5


def create_service_app(
    runtime: ServiceRuntime[Any, Any],
    *,
    routers: Sequence[APIRouter] = (),
    description: str = "",
    body_limits: Sequence[BodyLimit] = (),
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    settings = runtime.settings
    app = FastAPI(
        title=f"nkohub {runtime.service}",
        description=description,
        version="1.0.0",
        lifespan=lifespan,
        docs_url="/docs" if settings.api_docs else None,
        redoc_url=None,
        responses=ERROR_RESPONSES,
        # FastAPI's own OpenTelemetry spans (a server span and spans of the dependencies,
        # the endpoint, the serialisation) only when they are exported: the door's trace
        # (``nkohub_shared.tracing``) carries the ids either way.
        telemetry=_native_telemetry(exporting=settings.otlp_endpoint is not None),
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    _answer_outages_with_503(app)
    # The trace, the metrics, the body limit (413 while the body arrives, before the token
    # is checked or anything parsed; paths that take uploads have their own limits) and
    # the security headers: one layer (``ServiceDoor``).
    app.add_middleware(
        ServiceDoor,
        metrics=runtime.metrics,
        default_body_limit=settings.max_body_bytes,
        body_limits=body_limits,
    )
    app.include_router(_operations_router(runtime))
    for router in routers:
        app.include_router(router)
    document_optional_staff(app)
    return app


def _native_telemetry(*, exporting: bool) -> TelemetryConfig:
    if exporting:
        return {}
    return {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}


def _answer_outages_with_503(app: FastAPI) -> None:
    """MongoDB away (unreachable, stalled past the client's timeouts): 503 with
    ``Retry-After``, not a 500 — the request was fine and may be sent again."""

    async def outage(_: Request, exc: Exception) -> JSONResponse:
        if not is_infrastructure_failure(exc):
            raise exc
        return JSONResponse(
            error_body("unavailable", "the database is unavailable; try again shortly"),
            503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    app.add_exception_handler(PyMongoError, outage)
    app.add_exception_handler(InfrastructureUnavailable, outage)


def _operations_router(runtime: ServiceRuntime[Any, Any]) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/health/live")
    async def live() -> dict[str, str]:
        """The process is up, and which one: the service and this replica's name."""
        return {"status": "ok", "service": runtime.service, "replica": runtime.settings.replica}

    @router.get("/health/ready", responses={503: {"description": "a dependency is down"}})
    async def ready() -> JSONResponse:
        """200 only when MongoDB and RabbitMQ both answer; else 503 naming the one down.
        ``dead_letters`` counts the messages in each dead-letter queue of the service's
        consumers: informative only (a dead letter needs a person, not a restart)."""
        checks = await runtime.readiness()
        ok = all(v == "ok" for v in checks.values())
        body: dict[str, Any] = {"status": "ok" if ok else "unavailable", **checks}
        if runtime.consumers and checks.get("rabbitmq") == "ok":
            body["dead_letters"] = await runtime.dead_letters()
        return JSONResponse(body, 200 if ok else 503)

    @router.get("/metrics", response_class=Response)
    async def metrics() -> Response:
        """Prometheus metrics: HTTP requests, outbox backlog, events consumed by outcome,
        dead-letter depths (see ``nkohub_shared.metrics``)."""
        await runtime.refresh_metrics()
        return Response(runtime.metrics.exposition(), media_type=runtime.metrics.content_type)

    @router.get("/asyncapi.json")
    async def asyncapi() -> dict[str, Any]:
        """AsyncAPI 3.0 document of the events this service publishes and consumes."""
        return runtime.asyncapi()

    return router


async def context_of(request: Request) -> Any:
    """The running service's context. Each service's ``api/deps.py`` gives it its type:
    ``Context = Annotated[RegistryContext, Depends(context_of)]``. (``async``: FastAPI runs a
    plain ``def`` dependency in a worker thread, a hop per request.)"""
    return request.app.state.runtime.context

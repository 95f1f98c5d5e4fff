"""``nkohub dead-letters list|show|replay|purge|expire``: what failed, and acting on it.

QUEUE is a consumer queue (``notifications.registration-mail``) or its dead-letter queue
(``….dead-letter``). The broker is ``NKOHUB_AMQP_URL`` (its path is the vhost);
``list`` without ``--queue`` and ``expire`` use the management API
(``NKOHUB_RABBITMQ_MANAGEMENT_URL``, default the AMQP host on port 15672).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import typer

from nkohub_shared.bus.deadletters import (
    DEFAULT_EXPIRY_DAYS,
    DeadLetterQueues,
    Selection,
    apply_expiry_policy,
    count_by_type,
    dead_letter_queue_of,
)
from nkohub_shared.bus.management import BrokerAddress
from nkohub_shared.settings import ENV_PREFIX

T = TypeVar("T")

app = typer.Typer(
    help="Dead letters: list, show, replay to the nkohub exchange, purge, expire.",
    no_args_is_help=True,
)

QueueArg = Annotated[str, typer.Argument(help="consumer queue or its .dead-letter queue")]
TypeOpt = Annotated[str | None, typer.Option("--type", help="only this event type")]
IdOpt = Annotated[str | None, typer.Option("--id", help="only this message (event) id")]
JsonOpt = Annotated[bool, typer.Option("--json", help="one JSON object a line")]


@dataclass(frozen=True)
class Broker:
    address: BrokerAddress

    def run(self, action: Callable[[DeadLetterQueues], Awaitable[T]]) -> T:
        """Run ``action`` on an AMQP connection to the broker."""

        async def connected() -> T:
            async with DeadLetterQueues(self.address) as queues:
                return await action(queues)

        return self.call(connected())

    def call(self, step: Awaitable[T]) -> T:
        async def awaited() -> T:
            return await step

        try:
            return asyncio.run(awaited())
        except Exception as exc:  # a missing queue, an unreachable broker: say it plainly
            typer.echo(f"nkohub dead-letters: {exc.__class__.__name__}: {exc}", err=True)
            raise typer.Exit(1) from exc


@app.callback()
def broker(
    ctx: typer.Context,
    amqp_url: Annotated[
        str,
        typer.Option(envvar=f"{ENV_PREFIX}AMQP_URL", help="the broker and vhost (URL path)"),
    ],
    management_url: Annotated[
        str | None,
        typer.Option(
            envvar=f"{ENV_PREFIX}RABBITMQ_MANAGEMENT_URL",
            help="management API; default http://<AMQP host>:15672",
        ),
    ] = None,
) -> None:
    ctx.obj = Broker(BrokerAddress.of(amqp_url, management_url))


@app.command("list")
def list_(
    ctx: typer.Context,
    queue: Annotated[
        list[str] | None, typer.Option("--queue", help="these queues only (no management API)")
    ] = None,
    by_type: Annotated[bool, typer.Option(help="count the dead letters of each type")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Dead-letter queues and how many messages each holds."""

    async def gather(queues: DeadLetterQueues) -> list[dict[str, Any]]:
        names = [dead_letter_queue_of(q) for q in queue] if queue else await queues.names()
        rows = []
        for name in names:
            row: dict[str, Any] = {"queue": name, "messages": await queues.depth(name)}
            if by_type and row["messages"]:
                row["types"] = dict(count_by_type(await queues.read(name)))
            rows.append(row)
        return rows

    for row in ctx.obj.run(gather):
        if as_json:
            typer.echo(json.dumps(row, ensure_ascii=False))
            continue
        typer.echo(f"{row['queue']}\t{row['messages']}")
        for event_type, n in row.get("types", {}).items():
            typer.echo(f"  {event_type}\t{n}")


@app.command()
def show(
    ctx: typer.Context,
    queue: QueueArg,
    event_type: TypeOpt = None,
    message_id: IdOpt = None,
    limit: Annotated[int, typer.Option(min=1, help="at most this many")] = 20,
    body: Annotated[bool, typer.Option(help="print each message's body too")] = False,
    as_json: JsonOpt = False,
) -> None:
    """The dead letters of a queue (left in place): id, type, reason, when."""
    selection = Selection(event_type, message_id, limit)
    letters = ctx.obj.run(lambda q: q.read(dead_letter_queue_of(queue), selection))
    for letter in letters:
        row = letter.summary()
        if body:
            row["body"] = letter.body.decode("utf-8", errors="replace")
        if as_json:
            typer.echo(json.dumps(row, ensure_ascii=False))
        else:
            typer.echo(
                f"{row['message_id']}\t{row['type']}\t{row['reason']}\t{row['died_at']}"
                + (f"\n  {row['body']}" if body else "")
            )


@app.command()
def replay(
    ctx: typer.Context,
    queue: QueueArg,
    event_type: TypeOpt = None,
    message_id: IdOpt = None,
    limit: Annotated[int | None, typer.Option(min=1, help="at most this many")] = None,
) -> None:
    """Republish dead letters to the nkohub exchange (original routing key and message id;
    consumers that handled one already skip it as a duplicate)."""
    selection = Selection(event_type, message_id, limit)
    name = dead_letter_queue_of(queue)
    replayed, kept = ctx.obj.run(lambda q: q.replay(name, selection))
    typer.echo(f"replayed {len(replayed)} from {name}")
    for letter in kept:
        typer.echo(f"kept {letter.message_id}: no queue is bound for {letter.event_type} any more")


@app.command()
def purge(
    ctx: typer.Context,
    queue: QueueArg,
    event_type: TypeOpt = None,
    message_id: IdOpt = None,
    yes: Annotated[bool, typer.Option("--yes", help="do not ask for confirmation")] = False,
) -> None:
    """Delete dead letters for good (asks first unless --yes)."""
    name = dead_letter_queue_of(queue)
    which = " and ".join(
        part
        for part in (event_type and f"of type {event_type}", message_id and f"id {message_id}")
        if part
    )
    if not yes:
        typer.confirm(f"Delete the dead letters {which or 'all'} in {name}?", abort=True)
    selection = Selection(event_type, message_id)
    purged = ctx.obj.run(lambda q: q.purge(name, selection))
    typer.echo(f"purged {purged} from {name}")


@app.command()
def expire(
    ctx: typer.Context,
    days: Annotated[
        float, typer.Option(min=0.000001, help="dead letters older than this expire")
    ] = DEFAULT_EXPIRY_DAYS,
) -> None:
    """Set the expiry policy of every dead-letter queue of the vhost (management API)."""
    definition = ctx.obj.call(apply_expiry_policy(ctx.obj.address, days))
    typer.echo(f"policy on {ctx.obj.address.vhost!r} dead-letter queues: {definition}")

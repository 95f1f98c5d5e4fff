"""Each runtime's write clock (``nkohub_shared.web.caching``, ``of_client=True``) on its own
client: it counts that client's writes and those of the process's clients without a clock,
never another runtime's — so two runtimes in one process keep apart what each wrote, as
two replicas do — and it announces its own writes (for the notes) but not what it heard."""

from __future__ import annotations

from pymongo import AsyncMongoClient

from nkohub_shared.storage.mongo import create_client
from nkohub_shared.storage.writeclock import WriteClock, unseen


async def test_each_runtime_clock_counts_its_client_and_clockless_clients_only(sandbox):
    url, db_name = sandbox.servers.mongodb_url, sandbox.database("clocks")
    one, two = WriteClock(of_client=True), WriteClock(of_client=True)
    announced: list[tuple[str, str]] = []
    one.announce_to(lambda database, collection: announced.append((database, collection)))
    client_one = create_client(url, event_listeners=[one])
    client_two = create_client(url, event_listeners=[two])
    plain: AsyncMongoClient = AsyncMongoClient(url)
    try:
        await client_one[db_name].pages.insert_one({"_id": 1})
        assert one.stamp(db_name, ("pages",)) == (1,)
        assert two.stamp(db_name, ("pages",)) == (0,)  # another runtime's write
        assert announced == [(db_name, "pages")]

        await client_two[db_name].pages.update_one({"_id": 1}, {"$set": {"x": 1}})
        assert one.stamp(db_name, ("pages",)) == (1,) and two.stamp(db_name, ("pages",)) == (1,)

        await plain[db_name].pages.delete_many({})  # a script's, a test's: everyone's
        assert one.stamp(db_name, ("pages",)) == (2,) and two.stamp(db_name, ("pages",)) == (2,)
        assert announced == [(db_name, "pages")] * 2

        with unseen():
            await client_one[db_name].pages.insert_one({"_id": 2})
        assert one.stamp(db_name, ("pages",)) == (2,) and len(announced) == 2

        one.heard(db_name, ["pages", "files"])  # another replica's note: counted, not told
        assert one.stamp(db_name, ("pages", "files")) == (3, 1) and len(announced) == 2
    finally:
        await plain.drop_database(db_name)
        for client in (client_one, client_two, plain):
            await client.close()

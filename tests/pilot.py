"""Driving the TUI with Textual's pilot: `settle` for the tests and, run as a script, one
edit made from the TUI for the crash tests: `python -m tests.pilot DB delete|edit [N] [--wait]`
(N: die as the N-th change-log row is written; --wait: see `edit`)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from textual.worker import WorkerCancelled, WorkerFailed

BATCH = 10  # products selected with space and deleted together, as one change


async def settle(app, pilot):
    """Wait out the details and filter delays and every worker they start (a worker replaced
    by a newer one of its group ends cancelled): done after two rounds in a row with no
    worker running, a round being longer than any of the app's delays, so that a timer set
    just before the first round has fired and shown its worker by the second."""
    quiet = 0
    for _ in range(200):
        await pilot.pause(0.2)
        working = _working(app)
        try:
            for worker in working:
                await worker.wait()
        except (WorkerCancelled, WorkerFailed):  # (a failure is the app's to show)
            quiet = 0
            continue
        await pilot.pause()
        quiet = 0 if working or _working(app) else quiet + 1
        if quiet == 2:
            return
    raise AssertionError("the workers did not finish")


def _working(app) -> list:
    """The app's workers that have not finished, less folder trees' loaders (which never
    finish)."""
    return [w for w in app.workers if not w.is_finished and w.group != "_loader"]


def die_at_change(count: int) -> None:
    """SIGKILL this process as it is about to write the `count`-th change-log row: inside the
    edit's transaction, with the rows before it already written (and not yet committed)."""
    from kwtrack.store.models import database

    real = database.obj.execute_sql
    written = 0

    def execute_sql(sql, params=None, *args, **kwargs):
        nonlocal written
        if sql.startswith('INSERT INTO "change"'):
            written += 1
            if written == count:
                os.kill(os.getpid(), signal.SIGKILL)
        return real(sql, params, *args, **kwargs)

    database.obj.execute_sql = execute_sql


async def edit(database: str, what: str, die_at: int | None = None, wait: bool = False
               ) -> None:
    """Make one edit from the TUI, as an operator would: `delete` selects BATCH products with
    space and archives them together; `edit` changes the first product's title and category.
    Then say `done` on stdout and wait to be killed (`die_at`: see die_at_change; `wait`:
    say `ready` once the rows are picked and make the edit when a line comes on stdin)."""
    from kwtrack.store.database import get_store, open_database
    from kwtrack.tui.app import KwtrackApp
    from kwtrack.tui.dialogs import DeleteDialog

    open_database(database)
    if die_at:
        die_at_change(die_at)
    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        if what == "delete":
            await pilot.press(*["space"] * BATCH)
            if wait:
                print("ready", flush=True)
                await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
            await pilot.press("d")
            await settle(app, pilot)
            for _ in range(2):  # (an orphaning delete asks twice)
                if isinstance(app.screen, DeleteDialog):
                    await pilot.press("y")
                    await settle(app, pilot)
        else:
            await pilot.press("e")
            await settle(app, pilot)
            app.screen.query_one("#field-title").value = "Crash Test Walking Shoes Model Q100"
            app.screen.query_one("#field-category").value = "Crash Tests"
            await pilot.press("ctrl+s")
            await settle(app, pilot)
        for note in app._notifications:  # (what the operator would have seen)
            print(f"{note.severity}: {note.message}", file=sys.stderr, flush=True)
        print("done", flush=True)
        await asyncio.sleep(600)


if __name__ == "__main__":
    options = sys.argv[3:]
    asyncio.run(edit(sys.argv[1], sys.argv[2],
                     next((int(o) for o in options if o.isdigit()), None), "--wait" in options))

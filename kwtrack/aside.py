"""Work done in a forked second process beside the main one.

A machine has at least two cores, and kwtrack's two heavy jobs each split into halves that do
not share data: an import parses the file while the main process writes, and the coverage
check compares titles while the main process follows keyword links. `Aside` runs a generator
in a forked child and talks to it over a pipe; `aside()` gives an in-process stand-in with the
same interface where forking is not safe, so callers have one code path.

The child never uses the main process's database connection (the check's child opens one of
its own, `kwtrack.db.second_connection`), and an error raised in it reaches the main process
as the same one-line `KwtrackError` (anything else as a RuntimeError naming it).
"""

from __future__ import annotations

import collections
import multiprocessing
import sys
import threading
from collections.abc import Generator, Iterator
from typing import Any

from kwtrack.errors import KwtrackError


def can_fork() -> bool:
    """Whether a second process may be forked: on Linux (macOS can fork but its system
    libraries are not safe to use after it; Windows cannot), from a program with no other
    threads (forking those is unsafe; the TUI has them)."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


class Aside:
    """A generator running in a forked second process.

    `next(aside)` waits for the next value it yields; `aside.resume(value)` hands it the value
    its paused `yield` returns, without waiting. A value may be handed over ahead, before the
    item it answers has been read: the child then carries on from that `yield` as soon as it
    makes it. A `streaming` generator is never resumed: it runs ahead, as far as the pipe's
    buffer lets it, while the main process consumes.
    Use it as a context manager, so the child is stopped however the main process leaves.
    """

    def __init__(self, generator: Iterator, *, streaming: bool = False):
        context = multiprocessing.get_context("fork")
        self._pipe, child_end = context.Pipe(duplex=not streaming)
        self._worker = context.Process(target=_serve, args=(generator, child_end, streaming),
                                       daemon=True)
        self._worker.start()
        child_end.close()
        self._streaming = streaming
        self._owed = 0  # values owed to the child (it waits for one after each item it yields)

    def __iter__(self) -> Iterator:
        return self

    def __next__(self) -> Any:
        if self._owed > 0:  # not resumed since its last item: resume it with None, as next()
            self.resume(None)
        try:
            kind, value = self._pipe.recv()
        except EOFError:
            raise KwtrackError("the second kwtrack process stopped unexpectedly") from None
        if kind == "item":
            self._owed += not self._streaming
            return value
        if kind == "end":
            self._worker.join()
            raise StopIteration
        raise KwtrackError(value) if kind == "error" else RuntimeError(value)

    def resume(self, value: Any) -> None:
        self._pipe.send(value)
        self._owed -= 1

    def close(self) -> None:
        """Stop the child if it is still at work, and reap it (no zombie is left behind)."""
        if self._worker.is_alive():
            self._worker.kill()
        self._worker.join()
        self._pipe.close()

    def __enter__(self) -> Aside:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Inline:
    """`Aside`'s stand-in that runs the generator in this process, step by step, when asked."""

    def __init__(self, generator: Iterator):
        self._generator = generator
        self._values: collections.deque = collections.deque()  # handed over, not yet sent
        self._started = False

    def __iter__(self) -> Iterator:
        return self

    def __next__(self) -> Any:
        if not self._started:  # the first item answers nothing
            self._started = True
            return next(self._generator)
        return self._generator.send(self._values.popleft() if self._values else None)

    def resume(self, value: Any) -> None:
        self._values.append(value)

    def close(self) -> None:
        pass

    def __enter__(self) -> Inline:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def aside(generator: Generator) -> Aside | Inline:
    """Run `generator` in a second process where that is safe, else in this one."""
    return Aside(generator) if can_fork() else Inline(generator)


def in_background(items: Iterator) -> Iterator:
    """The same items, produced by a forked second process while this one consumes them."""
    with Aside(items, streaming=True) as worker:
        yield from worker


def _serve(generator: Iterator, pipe, streaming: bool) -> None:
    """The child's side: each value the generator yields, then "end" (or its error)."""
    try:
        value = None
        while True:
            try:
                item = next(generator) if value is None else generator.send(value)
            except StopIteration:
                pipe.send(("end", None))
                return
            pipe.send(("item", item))
            value = None if streaming else pipe.recv()
    except KwtrackError as exc:
        pipe.send(("error", str(exc)))
    except (BrokenPipeError, EOFError):
        pass  # the main process has stopped listening
    except Exception as exc:  # reported to the main process, which decides what to show
        pipe.send(("crash", f"{type(exc).__name__}: {exc}"))
    finally:
        pipe.close()

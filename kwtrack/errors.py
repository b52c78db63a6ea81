"""The errors kwtrack reports to the user: one clear line each, never a traceback."""

from __future__ import annotations


class KwtrackError(Exception):
    """Something the user can act on; the CLI prints it as one line and exits non-zero."""

    exit_code = 1


class ImportFailed(KwtrackError):
    """A file could not be imported; `problems` are `file:row:column: message` lines."""

    MAX_SHOWN = 20

    def __init__(self, problems: list[str], total: int | None = None):
        self.problems = problems[: self.MAX_SHOWN]
        self.total = total if total is not None else len(problems)
        lines = list(self.problems)
        if self.total > len(self.problems):
            lines.append(f"… and {self.total - len(self.problems)} more problems")
        super().__init__("\n".join(lines))


class StatsGap(KwtrackError):
    """The imported stats do not cover a window asked about: nothing can be said of it (a day
    without stats is unknown, never zero). Its own exit status, so scripts tell it apart."""

    exit_code = 4

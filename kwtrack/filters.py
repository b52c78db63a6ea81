"""The filter language the lists and the TUI's tables share: free words, `field:value` terms
and numeric terms (`impr>1000`, `bid<=2.5`). It only splits a search into its parts; each list
says what the parts mean for its rows (in SQL, or over rows in memory)."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable


def split_search(search: str | None, fields: tuple[str, ...]) -> tuple[str | None, dict]:
    """A search as the operator types it: `field:value` terms (of `fields`) apart from the
    free text (`group:core walking` → ("walking", {"group": "core"}))."""
    if not search:
        return None, {}
    terms, text = {}, []
    for word in search.split():
        name, sep, value = word.partition(":")
        if sep and name.casefold() in fields and value:
            terms[name.casefold()] = value
        else:
            text.append(word)
    return " ".join(text) or None, terms


_COMPARE = re.compile(r"([a-z][a-z0-9_.]*?)\.?(>=|<=|>|<|=)(-?[\d,]*\.?\d+)%?")
COMPARED = {">": operator.gt, "<": operator.lt, ">=": operator.ge, "<=": operator.le,
            "=": operator.eq}


def split_comparisons(search: str | None, names: dict[str, str] | tuple[str, ...]
                      ) -> tuple[str | None, list[tuple[str, Callable, float]]]:
    """A search's numeric terms (`impr>1000`, `bid<=2.5`, `clicks=0`: a name of `names`,
    which may map a short name to its field) apart from the rest of it: (the rest,
    [(field, comparison, number)]). The comparisons work on numbers and on SQL alike."""
    if not search:
        return search, []
    fields = names if isinstance(names, dict) else {name: name for name in names}
    rest, found = [], []
    for word in search.split():
        match = _COMPARE.fullmatch(word.casefold())
        if match and match[1] in fields:
            found.append((fields[match[1]], COMPARED[match[2]],
                          float(match[3].replace(",", ""))))
        else:
            rest.append(word)
    return " ".join(rest) or None, found


_LOOKS_LIKE_A_TERM = re.compile(r"([a-z_]+)(:|>=|<=|>|<|=)", re.IGNORECASE)


def unread_term(rest: str | None, fields: tuple[str, ...], numbers: dict[str, str]
                ) -> str | None:
    """What is wrong with a word left over from a search that was meant as a term but is
    none (`stauts:online`, `impr>abc`, `group:` with its value after a space), or None:
    read as words, it would quietly list nothing, so the lists refuse it."""
    for word in (rest or "").split():
        match = _LOOKS_LIKE_A_TERM.match(word)
        if match is None:
            continue
        name, sign = match[1].casefold(), match[2]
        if sign == ":" and name in fields:
            return f"{word!r}: write the value right after the colon ({name}:…)"
        if sign != ":" and name in numbers:
            return f"{word!r}: compare with a number ({name}{sign}100)"
        return (f"{word!r} is not a filter term: the terms are {', '.join(fields)} "
                f"(field:value) and {', '.join(numbers)} (e.g. {next(iter(numbers))}>100)")
    return None

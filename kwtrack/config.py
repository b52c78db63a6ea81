"""The operator's thresholds for the weekly review and P4P bids, from a TOML file.

Every threshold has a default here; a file (`config.toml` in the user config dir, or
`--config FILE`) may set any of them:

    [review]
    rising_min_growth = 0.5

    [bids]
    max_bid = 12.0

`load_config` says where each value in force came from, for `kwtrack config show`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from platformdirs import user_config_path

from kwtrack.errors import KwtrackError


@dataclass(frozen=True)
class ReviewSettings:
    """Thresholds of the weekly keyword review (README: "The weekly keyword review")."""

    top: int = 20  # items per section
    rising_min_growth: float = 0.30  # impressions up this much on the 3 weeks before
    rising_min_base: float = 50.0  # ... whose average was at least this many impressions
    surging_growth: float = 10.0  # above +1000%: shown as "surging"
    raise_bid_band: float = 0.20  # clicks within ±20% week on week
    raise_bid_weeks: int = 2  # ... for at least this many weeks
    raise_bid_min_clicks: int = 20  # enough data: clicks in each of those weeks
    cut_min_spend: float = 50.0  # CNY over the cut window with no inquiry
    cut_weeks: int = 2
    key_group: str = "core"  # the key keyword group (核心词组)
    hot_top: int = 20  # the week's top words by impressions count as hot
    quiet_impressions: int = 10  # a key-group word below this many impressions went quiet
    showcase_min_growth: float = 0.30  # product impressions up this much on the weeks before
    strength_low: float = 70.0  # products scoring in [low, high) are near a strong score
    strength_high: float = 80.0
    budget_spent_high: float = 0.90  # a week spending this share of 7 days' P4P budget ran out
    budget_spent_low: float = 0.50  # ... and this little left most of it unspent
    overview_swing: float = 0.30  # the store's figures moving this much in a week are said
    growth_target: float = 81.0  # P4P growth points to reach (营销成长: L4, regional promotion)
    growth_target_level: int = 4  # ... the level they reach


@dataclass(frozen=True)
class BidSettings:
    """Limits of P4P bid changes (`kwtrack bids apply-review`)."""

    raise_step: float = 0.10  # +10%
    cut_step: float = 0.15  # −15%
    min_bid: float = 0.30  # CNY per click, never below
    max_bid: float = 20.0  # ... nor above (a word's own limits narrow these)
    cooldown_days: int = 7  # at most one change per word within this many days


@dataclass(frozen=True)
class Config:
    """Everything configurable, and where each value came from (`section.key` → source)."""

    review: ReviewSettings = field(default_factory=ReviewSettings)
    bids: BidSettings = field(default_factory=BidSettings)
    sources: dict[str, str] = field(default_factory=dict)


def default_config_file() -> Path:
    """`KWTRACK_CONFIG`, else `config.toml` in the user config dir."""
    env = os.environ.get("KWTRACK_CONFIG")
    return Path(env) if env else user_config_path("kwtrack", appauthor=False) / "config.toml"


def load_config(path: str | Path | None = None) -> Config:
    """The defaults, overridden by the TOML file at `path` (default: `default_config_file`;
    a missing default file is no error, a missing named file is)."""
    named = path is not None
    path = Path(path) if named else default_config_file()
    config = Config(sources={f"{section}.{f.name}": "default"
                             for section, kind in (("review", ReviewSettings),
                                                   ("bids", BidSettings))
                             for f in fields(kind)})
    if not path.exists():
        if named:
            raise KwtrackError(f"{path}: no such config file")
        return config
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise KwtrackError(f"{path}: not a valid TOML file: {exc}") from None
    sources = dict(config.sources)
    parts = {}
    for section, current in (("review", config.review), ("bids", config.bids)):
        given = data.get(section, {})
        known = {f.name: f for f in fields(current)}
        changes = {}
        for key, value in given.items():
            if key not in known:
                raise KwtrackError(f"{path}: [{section}] has no setting {key!r} "
                                   f"(settings: {', '.join(known)})")
            default = getattr(current, key)
            if isinstance(default, bool) or not isinstance(value, type(default) | int):
                raise KwtrackError(f"{path}: [{section}] {key} = {value!r}: expected "
                                   f"{type(default).__name__}")
            changes[key] = type(default)(value)
            sources[f"{section}.{key}"] = str(path)
        parts[section] = replace(current, **changes)
    unknown = set(data) - {"review", "bids"}
    if unknown:
        raise KwtrackError(f"{path}: unknown section [{sorted(unknown)[0]}] "
                           "(sections: review, bids)")
    if parts["bids"].min_bid > parts["bids"].max_bid:
        raise KwtrackError(f"{path}: [bids] min_bid {parts['bids'].min_bid:g} is above max_bid "
                           f"{parts['bids'].max_bid:g}")
    return Config(parts["review"], parts["bids"], sources)

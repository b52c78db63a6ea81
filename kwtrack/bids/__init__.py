"""P4P (外贸直通车) bids and the promotion plan.

- `changes`: set a bid or a word's own limits, list bids, a word's bid history, the changes
  the weekly review proposes and applying them (each a change `kwtrack undo` reverses);
- `schedule`: the plan (budget, promotion hours, markets); the check that the hours cover
  each market's office hours in its own time zone is `kwtrack.markets` (the review uses it).
"""

from kwtrack.bids.changes import (
    LIMITS_FORM,
    BidHistoryLine,
    BidLine,
    Proposal,
    apply_proposals,
    bid_history,
    current_bid,
    limits_problems,
    limits_values,
    list_bids,
    review_proposals,
    set_bid,
    set_limits,
    set_limits_from_form,
    weeks_without_p4p,
)
from kwtrack.bids.schedule import (
    PLAN_FORM,
    get_plan,
    plan_problems,
    plan_values,
    set_plan,
    set_plan_from_form,
)
from kwtrack.markets import MARKET_ZONES, MarketCheck, schedule_check

__all__ = ["LIMITS_FORM", "MARKET_ZONES", "PLAN_FORM", "BidHistoryLine", "BidLine",
           "MarketCheck", "Proposal", "apply_proposals", "bid_history", "current_bid",
           "get_plan", "limits_problems", "limits_values", "list_bids", "plan_problems",
           "plan_values", "review_proposals", "schedule_check", "set_bid", "set_limits",
           "set_limits_from_form", "set_plan", "set_plan_from_form", "weeks_without_p4p"]

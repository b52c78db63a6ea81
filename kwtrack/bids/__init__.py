"""P4P (外贸直通车) bids and the promotion plan.

- `changes`: set a bid, list bids, a word's bid history, the changes the weekly review
  proposes and applying them (each a change `kwtrack undo` reverses);
- `schedule`: the plan (budget, promotion hours, markets) and the check that the hours cover
  each market's office hours in its own time zone.
"""

from kwtrack.bids.changes import (
    BidHistoryLine,
    BidLine,
    Proposal,
    apply_proposals,
    bid_history,
    current_bid,
    list_bids,
    review_proposals,
    set_bid,
)
from kwtrack.bids.schedule import (
    MARKET_ZONES,
    MarketCheck,
    get_plan,
    schedule_check,
    set_plan,
)

__all__ = ["MARKET_ZONES", "BidHistoryLine", "BidLine", "MarketCheck", "Proposal",
           "apply_proposals", "bid_history", "current_bid", "get_plan", "list_bids",
           "review_proposals", "schedule_check", "set_bid", "set_plan"]

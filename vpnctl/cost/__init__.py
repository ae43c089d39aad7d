"""Monthly AWS cost of an environment, and what a change adds or removes (docs/costs.md).

- prices.json: the versioned price table, every price with its source and the day it was read;
- price_table.py: loads and validates it (a price without a source is refused);
- estimate.py: what an environment is billed for, from a plan's side or a synthesized stack;
- words.py: the "Cost" part of a review or of `vpnctl diff`, and `plan_cost`, what the review calls.
"""

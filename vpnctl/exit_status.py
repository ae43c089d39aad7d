"""vpnctl's exit statuses (the CLI's docstring lists them for the operator), and how a run over several
environments combines theirs."""

from __future__ import annotations

from collections.abc import Iterable

EXIT_OK = 0
EXIT_FAILED = 1  # Terraform, a plan or a tool failed; a deploy was not approved
EXIT_CONFIG = 2  # bad config or arguments; an operator command refused what it was asked (no such user, site)
EXIT_REFUSED = 3  # the prod guard refused a replacement, destroy or change of identity


def worst(statuses: Iterable[int]) -> int:
    """A failure anywhere fails the run; else the highest status (a refusal over success)."""
    seen = set(statuses)
    if EXIT_FAILED in seen:
        return EXIT_FAILED
    return max(seen, default=EXIT_OK)

"""One environment's review: the changes, what the prod guard refused, and the policy findings."""

from __future__ import annotations

from dataclasses import dataclass, field

from vpnctl.exit_status import EXIT_FAILED, EXIT_OK, EXIT_REFUSED
from vpnctl.policy.scan import PolicyReport
from vpnctl.review.changes import ResourceChange
from vpnctl.review.impact import SubjectImpact
from vpnctl.review.impact_guard import ImpactRefusal

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_REFUSED", "EnvironmentReview"]


@dataclass
class EnvironmentReview:
    """One stack's review: an environment's, or with shards one of its stacks' (`environment` is then the stack's
    name, `prod-emea`)."""

    environment: str
    changes: list[ResourceChange] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # addresses prevent_destroy refused
    refused_destroys: list[str] = field(default_factory=list)  # removed from a guarded config: see removals.py
    policy: PolicyReport | None = None
    error: str | None = None  # the plan failed: Terraform's first error line
    error_output: str = ""  # all Terraform printed then, for the log (never the comment)
    policy_error: str | None = None  # checkov failed (not: a check failed)
    allowances: dict[str, str] = field(default_factory=dict)  # refused address -> the ADDRESS@DIGEST allowing it
    identity_refusals: list[str] = field(default_factory=list)  # a changed identity: guard_manifest.refusals
    state_move: str | None = None  # an allowed change moves the state: vpnctl/state_move.py
    impacts: list[SubjectImpact] = field(default_factory=list)  # what each site and endpoint goes through
    impact_refusals: list[ImpactRefusal] = field(default_factory=list)  # vpnctl/review/impact_guard.py
    cost: object | None = None  # vpnctl.cost: the monthly cost before and after the plan
    moves: list[str] = field(default_factory=list)  # sites whose state moves between stacks: vpnctl/shard_moves.py
    planned: bool = False  # Terraform planned it (else: refused before a plan, or the plan failed)

    def allowance(self, address: str) -> str:
        """What `--allow-replace` takes for a refused address: bound to the change reviewed."""
        return self.allowances.get(address, address)

    @property
    def exit_status(self) -> int:
        if self.error or self.policy_error:
            return EXIT_FAILED
        return EXIT_REFUSED if self.refused or self.refused_destroys or self.identity_refusals or \
            self.impact_refusals else EXIT_OK

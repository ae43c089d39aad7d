"""The production guard on traffic impact: a plan that takes both tunnels of a site down, brings new tunnel
outside IPs or makes every user of an endpoint need a new profile is refused in a production-tier
environment (exit status 3), as a replacement is, unless the reviewer accepts it by name.

A refusal is accepted when one of the changes that cause it is allowed:
- a replacement whose prod guard the reviewed synth lifted (`--allow-replace ADDRESS@DIGEST`: the
  synthesized resource has no prevent_destroy), so one allowance covers a replaced customer gateway
  and the connection that moves onto it;
- an in-place change named by `--allow-impact ADDRESS@DIGEST`, the digest of the resource as the
  reviewed change synthesizes it (stacks/config/allowances.py), as `--allow-replace` is bound.
A replacement Terraform refused already (prevent_destroy) is the review's refusal; the impact
guard doesn't repeat it.
"""

from __future__ import annotations

from dataclasses import dataclass

from stacks.config.allowances import body, bound, split
from vpnctl.review.impact import SubjectImpact
from vpnctl.review.impact_rules import GUARDED, LABELS, Impact

OPTION = "--allow-impact"


@dataclass(frozen=True)
class ImpactRefusal:
    subject: str  # "site berlin-hq"
    impact: Impact
    causes: tuple[str, ...]  # the addresses whose changes bring it
    allowance: str  # ADDRESS@DIGEST for --allow-impact

    @property
    def words(self) -> str:
        return LABELS[self.impact]


def refusals(subjects: list[SubjectImpact], changes: list, synthesized: dict, *, production: bool,
             refused: list[str], allow_impact: frozenset[str]) -> list[ImpactRefusal]:
    """The guarded impacts nobody accepted, in a production-tier environment."""
    if not production:
        return []
    actions = {c.address: c.action for c in changes}
    out = []
    for subject in subjects:
        for impact in sorted({f.impact for f in subject.findings if f.impact in GUARDED}, reverse=True):
            causes = tuple(dict.fromkeys(f.address for f in subject.findings if f.impact == impact))
            if set(causes) & set(refused) or any(_accepted(c, actions, synthesized, allow_impact) for c in causes):
                continue
            in_place = [c for c in causes if actions.get(c) == "update"] or list(causes)
            out.append(ImpactRefusal(subject.label, impact, causes, bound(synthesized, in_place[0])))
    return out


def _accepted(address: str, actions: dict[str, str], synthesized: dict, allow_impact: frozenset[str]) -> bool:
    if actions.get(address) == "replace" and _guard_lifted(synthesized, address):
        return True
    return bound(synthesized, address) in allow_impact


def _guard_lifted(synthesized: dict, address: str) -> bool:
    resource_type, _, name = address.partition(".")
    found = synthesized.get("resource", {}).get(resource_type, {}).get(name)
    return isinstance(found, dict) and not (found.get("lifecycle") or {}).get("prevent_destroy")


def unused(subjects: list[SubjectImpact], synthesized: dict, allow_impact: frozenset[str]) -> list[str]:
    """What is wrong with each --allow-impact that accepts nothing: a typo, or one given for another change."""
    causes = {f.address for s in subjects for f in s.findings if f.impact in GUARDED}
    problems = []
    for given in sorted(allow_impact):
        address, _ = split(given)
        if address not in causes:
            problems.append(f"{OPTION} {given}: the plan makes no change with a guarded impact there")
        elif body(synthesized, address) is None or bound(synthesized, address) != given:
            problems.append(f"{OPTION} {given}: given for another change of {address}; this change is "
                            f"{bound(synthesized, address)}: review it, then allow it by that name")
    return problems

"""What a plan does to traffic, per site and per Client VPN endpoint, from the plan's before and after.

The rules are vpnctl/review/impact_rules.py. This module matches them against the reviewed
changes, adds the facts some rules need from the rest of the plan (is the route's endpoint
split tunnel, is this the endpoint's last association), and groups what it finds by the site or
endpoint that users know. The production guard on impact is vpnctl/review/impact_guard.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from vpnctl.review.impact_rules import COMPUTED, LABELS, RULES, TUNNEL_OPTIONS, Impact, Rule, Source
from vpnctl.review.names import scope_for


class ResourceChange(Protocol):
    """What the rules read of a reviewed change (vpnctl.review.changes.ResourceChange, which imports this module)."""

    address: str
    resource_type: str
    action: str
    attributes: tuple


ENDPOINT, ASSOCIATION = "aws_ec2_client_vpn_endpoint", "aws_ec2_client_vpn_network_association"
ENVIRONMENT = ("environment", "")
SUBJECT_LABELS = {"site": "site {}", "client_vpn": "Client VPN {}", "environment": "the environment's shared resources"}
BOTH_TUNNELS_WARNING = ("the options of both tunnels change in one apply: AWS modifies one tunnel at a time, and "
                        "Terraform modifies tunnel 2 as soon as AWS reports the connection available again, without "
                        "waiting for tunnel 1's IPsec to come back up, so both can be down at once; change one tunnel "
                        "per apply and check that it is back up (vpnctl status) before the other")


@dataclass(frozen=True)
class Finding:
    address: str
    subject: tuple[str, str]  # ("site", "berlin-hq"), ("client_vpn", "staff") or ENVIRONMENT
    impact: Impact
    words: str
    sources: tuple[Source, ...]


@dataclass
class SubjectImpact:
    """What one site, one endpoint or the shared resources go through: the worst class first."""

    subject: tuple[str, str]
    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def impact(self) -> Impact:
        return max((f.impact for f in self.findings), default=Impact.NONE)

    @property
    def label(self) -> str:
        kind, name = self.subject
        return SUBJECT_LABELS[kind].format(name)

    @property
    def headline(self) -> str:
        return LABELS[self.impact] + ("; both tunnels change in one apply" if self.warnings else "")

    def words(self) -> list[str]:
        """Each finding's words once, the worst first."""
        seen: list[str] = []
        for finding in sorted(self.findings, key=lambda f: -f.impact):
            if finding.impact > Impact.NONE and finding.words not in seen:
                seen.append(finding.words)
        return seen

    def sources(self) -> list[Source]:
        found: list[Source] = []
        for finding in sorted(self.findings, key=lambda f: -f.impact):
            found += [s for s in finding.sources if finding.impact > Impact.NONE and s not in found]
        return found + ([TUNNEL_OPTIONS] if self.warnings and TUNNEL_OPTIONS not in found else [])


@dataclass
class PlanFacts:
    """What some rules need from the rest of the plan, by Client VPN endpoint name."""

    split_tunnel: dict[str, bool] = field(default_factory=dict)  # endpoints kept (not created or replaced)
    kept: set[str] = field(default_factory=set)  # endpoints neither created, replaced nor deleted
    associations_left: dict[str, int] = field(default_factory=dict)  # associations neither deleted nor replaced


def subject_of(address: str, construct_paths: dict[str, str]) -> tuple[str, str]:
    scope = scope_for(address, construct_paths)
    if scope is None:
        return ENVIRONMENT
    kind, name = scope
    return ("site", name) if kind == "site" else ("client_vpn", name)


def plan_facts(plan: dict, construct_paths: dict[str, str]) -> PlanFacts:
    facts = PlanFacts()
    for raw in plan.get("resource_changes", []):
        if raw.get("mode") != "managed" or raw["type"] not in (ENDPOINT, ASSOCIATION):
            continue
        _, name = subject_of(raw["address"], construct_paths)
        actions = set(raw["change"]["actions"])
        if raw["type"] == ENDPOINT and not actions & {"create", "delete"}:
            facts.kept.add(name)
            facts.split_tunnel[name] = bool((raw["change"].get("after") or {}).get("split_tunnel"))
        elif raw["type"] == ASSOCIATION:
            left = not actions & {"delete"} and raw["change"].get("before") is not None
            facts.associations_left[name] = facts.associations_left.get(name, 0) + int(left)
    return facts


CONDITION_WORDS = {  # for the generated reference (docs/impact_reference.py)
    "split_tunnel": "on a split-tunnel endpoint that stays",
    "endpoint_kept": "on an endpoint that stays",
    "last_association": "the endpoint's last association",
    "other_associations": "while another association stays",
}
CONDITIONS = {
    "split_tunnel": lambda name, facts: facts.split_tunnel.get(name, False),
    "endpoint_kept": lambda name, facts: name in facts.kept,
    "last_association": lambda name, facts: name in facts.kept and facts.associations_left.get(name, 0) == 0,
    "other_associations": lambda name, facts: not (name in facts.kept and facts.associations_left.get(name, 0) == 0),
}


def assess(changes: list[ResourceChange], plan: dict, construct_paths: dict[str, str]) -> list[Finding]:
    """Every rule each change matches, in plan order."""
    facts = plan_facts(plan, construct_paths)
    findings = []
    for change in changes:
        subject = subject_of(change.address, construct_paths)
        for rule in matching_rules(change):
            if rule.when is None or CONDITIONS[rule.when](subject[1], facts):
                findings.append(Finding(change.address, subject, rule.impact, rule.words, rule.sources))
    return findings


def matching_rules(change: ResourceChange) -> list[Rule]:
    rules = [r for r in RULES if r.resource_type == change.resource_type and change.action in r.actions]
    if change.action != "update":
        return [r for r in rules if not r.attributes]
    owned = []
    for path in changed_attributes(change):
        owner = max((r for r in rules if any(path.startswith(p) for p in r.attributes)),
                    key=lambda r: max(len(p) for p in r.attributes if path.startswith(p)), default=None)
        if owner is not None and owner not in owned:
            owned.append(owner)
    return sorted(owned, key=RULES.index)


def changed_attributes(change: ResourceChange) -> list[str]:
    """The attributes an update changes, without those no config sets."""
    return [a.path for a in change.attributes if re.split(r"[.\[]", a.path, maxsplit=1)[0] not in COMPUTED]


def tunnels_changed(change: ResourceChange) -> set[int]:
    """The tunnels whose own options an update of a VPN connection changes."""
    if change.resource_type != "aws_vpn_connection" or change.action != "update":
        return set()
    return {int(m.group(1)) for path in changed_attributes(change) if (m := re.match(r"tunnel([12])_", path))}


def by_subject(changes: list[ResourceChange], findings: list[Finding],
               construct_paths: dict[str, str]) -> list[SubjectImpact]:
    """Findings grouped by site or endpoint, the worst first; a subject with changes but no impact is listed too."""
    subjects: dict[tuple[str, str], SubjectImpact] = {}
    for change in changes:
        subject = subject_of(change.address, construct_paths)
        entry = subjects.setdefault(subject, SubjectImpact(subject))
        if tunnels_changed(change) == {1, 2}:
            entry.warnings.append(BOTH_TUNNELS_WARNING)
    for finding in findings:
        subjects.setdefault(finding.subject, SubjectImpact(finding.subject)).findings.append(finding)
    return sorted(subjects.values(), key=lambda s: (-s.impact, s.subject[0] == "environment", s.label))

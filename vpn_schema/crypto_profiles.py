"""Named IKE/IPsec settings that sites share.

One place for the built-in profiles. An environment file may add its own with
a `crypto_profile "name" { ... }` block; a site names one with `crypto_profile`
and a tunnel block may still override any single setting.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from vpn_schema import aws_rules as rules
from vpn_schema.base import StrictModel

IkeVersions = Annotated[list[str], rules.check_list_of(rules.IKE_VERSIONS), rules.Unique]
EncryptionAlgorithms = Annotated[list[str], rules.check_list_of(rules.ENCRYPTION_ALGORITHMS), rules.Unique]
IntegrityAlgorithms = Annotated[list[str], rules.check_list_of(rules.INTEGRITY_ALGORITHMS), rules.Unique]
Phase1DhGroups = Annotated[list[int], rules.check_list_of(rules.PHASE1_DH_GROUPS), rules.Unique]
Phase2DhGroups = Annotated[list[int], rules.check_list_of(rules.PHASE2_DH_GROUPS), rules.Unique]
Phase1Lifetime = Annotated[int, rules.check_between(*rules.PHASE1_LIFETIME_SECONDS, unit="seconds")]
Phase2Lifetime = Annotated[int, rules.check_between(*rules.PHASE2_LIFETIME_SECONDS, unit="seconds")]


class CryptoSettings(StrictModel):
    """The IKE and IPsec proposals of a tunnel. Unset means AWS's default (all algorithms)."""

    ike_versions: IkeVersions | None = Field(None, description=(
        "IKE versions the tunnel accepts: ikev1, ikev2. Default: AWS's, both."))
    phase1_encryption_algorithms: EncryptionAlgorithms | None = Field(None, description=(
        "Phase 1 (IKE) ciphers: AES128, AES256, AES128-GCM-16, AES256-GCM-16. Default: AWS's, all."))
    phase1_integrity_algorithms: IntegrityAlgorithms | None = Field(None, description=(
        "Phase 1 integrity: SHA1, SHA2-256, SHA2-384, SHA2-512. Default: AWS's, all."))
    phase1_dh_group_numbers: Phase1DhGroups | None = Field(None, description=(
        "Phase 1 Diffie-Hellman groups: 2, 14 to 24. Default: AWS's, all."))
    phase1_lifetime_seconds: Phase1Lifetime | None = Field(None, description=(
        "Phase 1 lifetime, 900 to 28800 seconds (AWS). Default: AWS's, 28800."))
    phase2_encryption_algorithms: EncryptionAlgorithms | None = Field(None, description=(
        "Phase 2 (IPsec) ciphers: AES128, AES256, AES128-GCM-16, AES256-GCM-16. Default: AWS's, all."))
    phase2_integrity_algorithms: IntegrityAlgorithms | None = Field(None, description=(
        "Phase 2 integrity: SHA1, SHA2-256, SHA2-384, SHA2-512. Default: AWS's, all."))
    phase2_dh_group_numbers: Phase2DhGroups | None = Field(None, description=(
        "Phase 2 Diffie-Hellman groups: 2, 5, 14 to 24. Default: AWS's, all."))
    phase2_lifetime_seconds: Phase2Lifetime | None = Field(None, description=(
        "Phase 2 lifetime, 900 to 3600 seconds (AWS). Default: AWS's, 3600."))


class CryptoProfile(CryptoSettings):
    """A named set of crypto settings. A site selects one with `crypto_profile`. The profile fills every
    setting that a tunnel leaves unset, and a tunnel block may override any single setting. An unset setting
    means AWS's default, which allows all algorithms. Lists must be non-empty and may not repeat a value. A
    profile may not reuse the name of a built-in profile (modern, compatible)."""


CRYPTO_FIELDS = tuple(CryptoSettings.model_fields)

BUILTIN_PROFILES: dict[str, CryptoProfile] = {
    # IKEv2 only, AEAD first, SHA-2, and elliptic-curve or 2048-bit+ MODP groups.
    "modern": CryptoProfile(
        ike_versions=["ikev2"],
        phase1_encryption_algorithms=["AES256-GCM-16", "AES256"],
        phase1_integrity_algorithms=["SHA2-256", "SHA2-384", "SHA2-512"],
        phase1_dh_group_numbers=[19, 20, 21, 14, 15, 16],
        phase1_lifetime_seconds=28800,
        phase2_encryption_algorithms=["AES256-GCM-16", "AES256"],
        phase2_integrity_algorithms=["SHA2-256", "SHA2-384", "SHA2-512"],
        phase2_dh_group_numbers=[19, 20, 21, 14, 15, 16],
        phase2_lifetime_seconds=3600,
    ),
    # For devices without GCM or elliptic curves: still IKEv2, AES256, SHA2-256, DH 14+.
    "compatible": CryptoProfile(
        ike_versions=["ikev2"],
        phase1_encryption_algorithms=["AES256"],
        phase1_integrity_algorithms=["SHA2-256"],
        phase1_dh_group_numbers=[14, 15, 16],
        phase1_lifetime_seconds=28800,
        phase2_encryption_algorithms=["AES256"],
        phase2_integrity_algorithms=["SHA2-256"],
        phase2_dh_group_numbers=[14, 15, 16],
        phase2_lifetime_seconds=3600,
    ),
}

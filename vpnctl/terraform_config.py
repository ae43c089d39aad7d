"""The Terraform CLI config of this project's runs, offline when a provider mirror exists: the one place
that writes it. A `filesystem_mirror` for hashicorp/aws (from TF_PROVIDER_MIRROR, or the mirror installed on
this machine), and the registry for everything else."""

from __future__ import annotations

import json
import os
from pathlib import Path

PROVIDER = "registry.terraform.io/hashicorp/aws"
MIRROR_CANDIDATES = (
    "/opt/tf-plugins",
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
)


def find_provider_mirror() -> Path | None:
    """TF_PROVIDER_MIRROR if set, else the first folder holding registry.terraform.io/hashicorp/aws."""
    configured = os.environ.get("TF_PROVIDER_MIRROR")
    if configured:
        return Path(configured)
    for candidate in MIRROR_CANDIDATES:
        path = Path(candidate).expanduser()
        if (path / PROVIDER).is_dir():
            return path
    for pattern in ("/opt/*", "/usr/local/*", "/srv/*"):
        for path in Path("/").glob(pattern.lstrip("/")):
            if (path / PROVIDER).is_dir():
                return path
    return None


def write_cli_config(build_dir: Path, mirror: Path | None) -> Path:
    """The CLI config for this project's Terraform runs; without a mirror, the registry as usual."""
    build_dir.mkdir(parents=True, exist_ok=True)
    path = (build_dir / "terraform.rc").resolve()
    if mirror is None:
        text = "# No provider mirror found: providers come from the registry.\n"
    else:
        text = (
            "provider_installation {\n"
            "  filesystem_mirror {\n"
            f"    path    = {json.dumps(str(mirror))}\n"
            f'    include = ["{PROVIDER}"]\n'
            "  }\n"
            "  direct {\n"
            f'    exclude = ["{PROVIDER}"]\n'
            "  }\n"
            "}\n"
        )
    path.write_text(text)
    return path

"""State files Terraform leaves in a stack's folder: errored.tfstate when a save to the backend failed, and
local state with its backups. They hold secrets in clear, so each is made private and named, with what
to do about it."""

from __future__ import annotations

from pathlib import Path

STATE_FILES = ("errored.tfstate", "terraform.tfstate*")


def left_behind(workdir: Path) -> list[str]:
    """One line per state file in `workdir`, each file made private (mode 0600) first."""
    lines = []
    for path in sorted({path for pattern in STATE_FILES for path in workdir.glob(pattern) if path.is_file()}):
        try:
            path.chmod(0o600)
            private = "mode 0600 now"
        except FileNotFoundError:
            continue
        except OSError as error:
            private = f"NOT made private: {error}"
        path = path.resolve()
        if path.name == "errored.tfstate":
            lines.append(f"{path} holds the state Terraform could not save to its backend, pre-shared keys and "
                         f"other secrets in clear ({private}): once the backend answers again, run "
                         f"`terraform state push errored.tfstate` in {path.parent}, then delete the file")
        else:
            lines.append(f"{path} holds Terraform state, secrets in clear ({private}): if the backend lacks "
                         f"it, run `terraform state push {path.name}` in {path.parent}; then delete the file")
    return lines

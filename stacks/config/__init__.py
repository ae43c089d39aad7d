"""Environment config: `environments/*.hcl` parsed and validated, with no cdktf import."""

from stacks.config.errors import ConfigError
from stacks.config.loader import LoadedEnvironment, environment_files, load_environment, load_environments
from vpn_schema.environment import Environment

__all__ = [
    "ConfigError",
    "Environment",
    "LoadedEnvironment",
    "environment_files",
    "load_environment",
    "load_environments",
]

"""Operator tooling that is not a construct: the CLI, the Terraform runner and the offline AWS."""

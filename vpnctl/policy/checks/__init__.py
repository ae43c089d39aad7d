"""The project's own checkov checks for VPN resources, loaded by checkov itself
(`--external-checks-dir`), in checkov's own virtualenv: nothing here imports the
project, and the project never imports these files."""

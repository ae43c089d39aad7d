"""The apply lifecycle and the plan reviews against the local emulator, run in background threads.

The provider waits a fixed 4 minutes after creating or deleting each Client VPN
subnet association before it looks at it (ClientVPNNetworkAssociationCreatedDelay
in provider 5.100.0), so a full apply takes minutes however fast the emulator
is. Each environment's steps run as one pipeline in its own thread, started
when the session starts (see conftest), while the other tests run; the tests in
test_apply.py and test_review_scenarios.py then read what the pipelines recorded.

The review scenarios run on the state `npx cdktf deploy dev` leaves, prod's
refused replacement on prod's applied state, and the pre-shared key rotation on
staging's, so no scenario pays for an apply of its own.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from tests.conftest import ENVIRONMENTS, ROOT, run_vpnctl
from vpnctl.local_aws import LocalAws
from vpnctl.planning import prepare
from vpnctl.terraform import Terraform, count_changes

# Edits of the shipped files, each a (old, new) text replacement; the scenario names are the tests' words.
NEW_SITE = '''
site "test-branch" {
  ip_address    = "198.51.100.60"
  routing       = "static"
  static_routes = ["192.168.60.0/24"]
  tunnel {
    inside_cidr = "169.254.51.0/30"
  }
  tunnel {
    inside_cidr = "169.254.51.4/30"
  }
}
'''
DEV_EDITS = {
    "add": [("# Developers:", NEW_SITE + "\n# Developers:"),
            ('  authorization "lab-office" {', '  authorization "vpc-dns" {\n    networks = ["10.10.0.2/32"]\n  }\n  authorization "lab-office" {')],
    "dpd": [('    inside_cidr = "169.254.50.0/30"\n', '    inside_cidr = "169.254.50.0/30"\n    dpd_timeout_seconds = 40\n')],
    "cgw": [('"198.51.100.20"', '"198.51.100.21"')],
    "inside": [('"169.254.50.0/30"', '"169.254.52.0/30"')],
    "rule": [('  authorization "lab-office" {\n    networks = ["192.168.50.0/24"]\n  }\n', "")],
    "cidr": [('"10.110.0.0/22"', '"10.111.0.0/22"')],
    "cert": [],  # the same config, with a renewed PKI: see _reviews
}
PROD_EDITS = {"inside": [('"169.254.10.0/30"', '"169.254.12.0/30"')]}
PROD_REMOVED_SITE = "frankfurt-dc"
PROD_BERLIN_CONNECTION = "aws_vpn_connection.site-berlin-hq_connection_6043E8D9"
STAGING_ROTATED_SECRET = "staging/vpn/munich-lab/tunnel1"


def variant(name: str, edits: list[tuple[str, str]], folder: Path):
    """The shipped environment `name` with `edits`, loaded from `folder/name.hcl`."""
    from stacks.config import load_environment

    text = (ENVIRONMENTS / f"{name}.hcl").read_text()
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.hcl").write_text(text)
    return load_environment(folder / f"{name}.hcl")


def reviewed(review) -> dict:
    """What a test needs of a review: its renderings, exit status, and actions by address (hash stripped)."""
    from vpnctl.review import render

    def unhashed(address: str) -> str:
        return re.sub(r"_[0-9A-F]{8}$", "", address)

    return {
        "markdown": render.markdown([review]),
        "terminal": render.terminal([review]),
        "exit": review.exit_status,
        "actions": {unhashed(c.address): c.action for c in review.changes},
        "forced_by": {unhashed(c.address): c.forced_by for c in review.changes},
        "refused": review.refused,
        "refused_destroys": review.refused_destroys,
        "replace_paths": {unhashed(c.address): c.replace_paths for c in review.changes},
    }


class Lifecycle:
    """Starts every pipeline; `result(name)` waits for one and returns what it recorded."""

    def __init__(self, base: Path):
        self.base = base
        self.futures: dict[str, Future] = {}
        # Milestones inside a pipeline, for tests that needn't wait for all of it.
        self.futures["dev-deployed"] = Future()
        self._pool = ThreadPoolExecutor(max_workers=6, thread_name_prefix="lifecycle")
        self.started = False

    def start(self, shipped: dict, synthesized_dir: Path) -> None:
        from vpnctl.synth import synth_stacks

        if self.started:
            return
        self.started = True
        # Synth in this thread: one jsii runtime, not shared across threads. Each pipeline is
        # submitted as soon as what it needs is synthesized; the longest (staging) needs nothing.
        submit = self._pool.submit
        self.futures["staging"] = submit(self._staging, shipped["staging"], synthesized_dir)
        variants = {}

        def synth_variant(name: str, scenario: str, edits, allow_replace=frozenset(), label=None) -> None:
            env = variant(name, edits, self.base / f"env-{name}-{scenario}")
            outdir = self.base / f"out-{name}-{label or scenario}"
            synth_stacks([env], outdir, allow_replace)
            variants[(name, label or scenario)] = (env, outdir)

        synth_variant("dev", "cgw", DEV_EDITS["cgw"])
        self.futures["dev"] = submit(self._dev, shipped["dev"], synthesized_dir, variants)
        synth_variant("prod", "inside", PROD_EDITS["inside"])
        synth_variant("prod", "inside", PROD_EDITS["inside"], frozenset({PROD_BERLIN_CONNECTION}), label="allowed")
        # On top of the inside CIDR change, which the pipeline applies before it plans this.
        removed = _without_block(
            variant("prod", PROD_EDITS["inside"], self.base / "env-prod-removed"), f'site "{PROD_REMOVED_SITE}"'
        )
        synth_stacks([removed], self.base / "out-prod-removed")
        variants[("prod", "removed")] = (removed, self.base / "out-prod-removed")
        self.futures["prod"] = submit(self._prod, shipped["prod"], synthesized_dir, variants)
        fast = _without_block(variant("dev", [], self.base / "env-fast"), 'client_vpn "')
        synth_stacks([fast], self.base / "out-fast")
        self.futures["interrupted"] = submit(self._interrupted, fast, self.base / "out-fast")
        for scenario, edits in DEV_EDITS.items():
            if scenario != "cgw":
                synth_variant("dev", scenario, edits)
        self.futures["cdktf"] = submit(self._cdktf_deploy, shipped["dev"], variants)

    def result(self, name: str, timeout: float = 1800) -> dict:
        return self.futures[name].result(timeout=timeout)

    # ---- pipelines ------------------------------------------------------------------

    def _emulator(self, env, label: str) -> LocalAws:
        log = self.base / f"emulator-{label}.log"
        return LocalAws(env.config.account_id, log_file=log)

    def _apply(self, env, outdir: Path, build: Path, aws: LocalAws, record: dict) -> Terraform:
        started = time.monotonic()
        terraform = prepare(env, outdir, build, aws)
        terraform.apply()
        record["apply_seconds"] = time.monotonic() - started
        record["outputs"] = terraform.outputs()
        record["resources"] = aws.resources(env.config.region)
        record["state"] = sorted(terraform.run("state", "list").stdout.split())
        record["second_plan"] = count_changes(terraform.plan(build / "second.tfplan"))
        return terraform

    def _staging(self, env, outdir: Path) -> dict:
        """Apply, rotate a pre-shared key behind the stack's back and review that, then destroy."""
        from vpnctl.preshared_keys import generate_preshared_key
        from vpnctl.reviewing import review_environment

        record: dict = {}
        build = self.base / "build-staging"
        with self._emulator(env, env.name) as aws:
            terraform = self._apply(env, outdir, build, aws, record)
            secrets = aws.client("secretsmanager", env.config.region)
            old = secrets.get_secret_value(SecretId=STAGING_ROTATED_SECRET)["SecretString"]
            new = generate_preshared_key()
            secrets.put_secret_value(SecretId=STAGING_ROTATED_SECRET, SecretString=new)
            record["preshared_keys"] = (old, new)
            record["review_psk"] = reviewed(review_environment(env, outdir, build, aws=aws))
            terraform.destroy()
            record["after_destroy"] = aws.resources(env.config.region)
        return record

    def _dev(self, env, outdir: Path, variants: dict) -> dict:
        record: dict = {}
        build = self.base / "build-dev"
        with self._emulator(env, "dev") as aws:
            self._apply(env, outdir, build, aws, record)
            # Apply the customer gateway change: the connection must keep its tunnels.
            variant_env, variant_out = variants[("dev", "cgw")]
            terraform = prepare(variant_env, variant_out, build, aws)
            terraform.apply()
            record["outputs_after_cgw"] = terraform.outputs()
            record["resources_after_cgw"] = aws.resources(env.config.region)
            # Back on the shipped stack's folder, destroy everything the state holds.
            base = prepare(env, outdir, build, aws)
            base.destroy()
            record["after_destroy"] = aws.resources(env.config.region)
        return record

    def _prod(self, env, outdir: Path, variants: dict) -> dict:
        """Apply; review a new inside CIDR (refused); review and apply it with --allow-replace;
        review and deploy a removed site (both refused)."""
        from vpnctl.deploying import DeployRefused, deploy_environment
        from vpnctl.reviewing import review_environment

        record: dict = {}
        build = self.base / "build-prod"
        with self._emulator(env, "prod") as aws:
            self._apply(env, outdir, build, aws, record)
            variant_env, variant_out = variants[("prod", "inside")]
            record["review_refused"] = reviewed(review_environment(variant_env, variant_out, build, aws=aws))
            variant_env, variant_out = variants[("prod", "allowed")]
            allowed = frozenset({PROD_BERLIN_CONNECTION})
            record["review_allowed"] = reviewed(
                review_environment(variant_env, variant_out, build, aws=aws, allow_replace=allowed)
            )
            terraform = prepare(variant_env, variant_out, build, aws)
            terraform.apply()
            record["outputs_after_replace"] = terraform.outputs()
            # A site's block removed: Terraform's prevent_destroy doesn't cover it; review and deploy must.
            variant_env, variant_out = variants[("prod", "removed")]
            record["review_removed"] = reviewed(review_environment(variant_env, variant_out, build, aws=aws))
            before = aws.resources(env.config.region)
            try:
                deploy_environment(variant_env, variant_out, build, aws)
                record["removed_deploy"] = "applied"
            except DeployRefused as exc:
                record["removed_deploy"] = str(exc)
            record["resources_after_refused_deploy"] = (before, aws.resources(env.config.region))
        return record

    def _interrupted(self, env, outdir: Path) -> dict:
        """SIGINT partway through an apply, a second apply refused by the lock meanwhile, then a clean re-apply."""
        record: dict = {}
        build = self.base / "build-fast"
        with self._emulator(env, "fast") as aws:
            terraform = prepare(env, outdir, build, aws)
            first = subprocess.Popen(
                [terraform.binary, "apply", "-input=false", "-no-color", "-auto-approve"],
                cwd=terraform.workdir, env=terraform._environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                text=True, start_new_session=True,
            )
            lines: list[str] = []
            reader = threading.Thread(target=lambda: lines.extend(first.stdout), daemon=True)
            reader.start()
            deadline = time.monotonic() + 120
            while not any("aws_vpn_connection." in line and "Creating..." in line for line in lines):
                assert time.monotonic() < deadline and first.poll() is None, "".join(lines)
                time.sleep(0.2)
            second = terraform.run("apply", "-input=false", "-no-color", "-auto-approve", "-lock-timeout=0s", check=False)
            record["second_apply_status"] = second.returncode
            record["second_apply_output"] = second.stdout + second.stderr
            os.killpg(first.pid, signal.SIGINT)  # Ctrl-C, as a terminal or a cancelled CI job sends it
            record["interrupted_status"] = first.wait(timeout=300)
            reader.join(timeout=10)
            record["interrupted_output"] = "".join(lines)
            terraform.apply()
            record["second_plan"] = count_changes(terraform.plan(build / "after.tfplan"))
            record["resources"] = aws.resources(env.config.region)
            record["state"] = sorted(terraform.run("state", "list").stdout.split())
        return record

    def _cdktf_deploy(self, env, variants: dict) -> dict:
        """`npx cdktf deploy dev --auto-approve`, with the emulator's endpoint and test credentials as a user
        sets real ones; then revocation and the dev review scenarios on the state it leaves."""
        record: dict = {}
        deployed = self.futures["dev-deployed"]
        try:
            self._cdktf_pipeline(env, variants, record, deployed)
        except BaseException as exc:
            if not deployed.done():
                deployed.set_exception(exc)
            raise
        if not deployed.done():
            deployed.set_exception(AssertionError(f"npx cdktf deploy dev failed:\n{record.get('output')}"))
        return record

    def _cdktf_pipeline(self, env, variants: dict, record: dict, deployed: Future) -> None:
        """The dev PKI made with `vpnctl pki` (alice and bob), `npx cdktf deploy dev`, profiles and the
        device config from the deployed stack; then bob revoked and deployed again; then the reviews."""
        from vpnctl.local_aws import seed_environment
        from vpnctl.terraform import find_provider_mirror, write_cli_config

        build = self.base / "build-cdktf"
        build.mkdir(parents=True, exist_ok=True)
        outdir = self.base / "out-cdktf"
        pki_dir = build / "pki"
        with self._emulator(env, "cdktf") as aws:
            seed_environment(aws, env.config, pki_dir)
            user_env = {
                **os.environ,
                **aws.terraform_env(),
                # As an activated virtualenv has it: the stack's CRL import runs `vpnctl`.
                "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
                "TF_CLI_CONFIG_FILE": str(write_cli_config(build, find_provider_mirror())),
                "TF_VAR_pki_dir": str(pki_dir),
                "VPNCTL_PKI_DIR": str(pki_dir),
                "CHECKPOINT_DISABLE": "1",
                "CI": "1",
            }

            def vpnctl(*args: str) -> subprocess.CompletedProcess:
                return run_vpnctl(*args, env=user_env, timeout=300)

            for args in (("pki", "init", "dev"), ("pki", "issue", "dev", "alice"), ("pki", "issue", "dev", "bob")):
                step = vpnctl(*args)
                assert step.returncode == 0, step.stdout + step.stderr
            record["deploy"] = _cdktf_deploy_run(user_env, outdir)
            record["status"], record["output"] = record["deploy"]["status"], record["deploy"]["output"]
            record["seconds"] = record["deploy"]["seconds"]
            record["resources"] = aws.resources(env.config.region)
            terraform = Terraform(outdir / "stacks" / "dev", Path(user_env["TF_CLI_CONFIG_FILE"]), aws.terraform_env())
            record["state"] = sorted(terraform.run("state", "list", check=False).stdout.split())
            if record["status"] != 0:
                return
            deployed.set_result(self._deployed(aws, env, build, vpnctl))
            # Offboarding: revoke bob, deploy again; the endpoint must hold the new CRL.
            record["revoke"] = vpnctl("pki", "revoke", "dev", "bob")
            record["redeploy"] = _cdktf_deploy_run(user_env, outdir)
            record["crl_after_revoke"] = _exported_crl(aws, env)
            record["bob_profile_after_revoke"] = vpnctl("client-config", "dev", "bob", "-o", str(build / "bob-again.ovpn"))
            record["pki_dir"] = pki_dir
            record["reviews"] = self._reviews(aws, build, variants)

    def _deployed(self, aws: LocalAws, env, build: Path, vpnctl) -> dict:
        """What the deployed dev stack gives its users: profiles, device configs, and (for the test's own
        AWS side) the tunnel options and keys as the emulator stores them."""
        out: dict = {"pki_dir": build / "pki", "crl_before_revoke": _exported_crl(aws, env)}
        for user in ("alice", "bob"):
            out[f"{user}_profile"] = build / f"{user}.ovpn"
            out[f"{user}_profile_run"] = vpnctl("client-config", "dev", user, "-o", str(out[f"{user}_profile"]))
        for fmt, name in (("strongswan", "lab-office.swanctl.conf"), ("aws-xml", "lab-office.xml")):
            out[fmt] = build / name
            out[f"{fmt}_run"] = vpnctl("device-config", "dev", "lab-office", "--format", fmt, "-o", str(out[fmt]))
        ec2 = aws.client("ec2", env.config.region)
        (connection,) = ec2.describe_vpn_connections(
            Filters=[{"Name": "tag:Name", "Values": ["dev-lab-office"]}]
        )["VpnConnections"]
        (gateway,) = ec2.describe_customer_gateways(CustomerGatewayIds=[connection["CustomerGatewayId"]])["CustomerGateways"]
        secret = aws.client("secretsmanager", env.config.region).get_secret_value(SecretId=connection["PreSharedKeyArn"])
        out["connection"], out["customer_gateway"] = connection, gateway
        out["stored_keys"] = secret["SecretString"]
        return out

    def _reviews(self, aws: LocalAws, build: Path, variants: dict) -> dict:
        """`vpnctl review` of each dev scenario against the deployed state (plans only: nothing changes)."""
        from vpnctl.reviewing import review_environment

        reviews = {}
        for scenario in DEV_EDITS:
            variant_env, variant_out = variants[("dev", scenario)]
            # A renewed PKI: a build folder of its own gets fresh throwaway certificates.
            scenario_build = self.base / "build-cdktf-renewed" if scenario == "cert" else build
            reviews[scenario] = reviewed(review_environment(variant_env, variant_out, scenario_build, aws=aws))
        reviews["pki_dirs"] = [build / "pki", self.base / "build-cdktf-renewed" / "pki"]
        return reviews


def _cdktf_deploy_run(user_env: dict, outdir: Path) -> dict:
    started = time.monotonic()
    result = subprocess.run(
        # --skip-provider-lock: `terraform providers lock` asks the registry, ignoring the CLI
        # config's filesystem mirror; with no registry, a user skips it the same way.
        ["npx", "--no-install", "cdktf", "deploy", "dev", "--auto-approve", "--skip-provider-lock", "--output", str(outdir)],
        cwd=ROOT, env=user_env, capture_output=True, text=True, timeout=1500,
    )
    return {"status": result.returncode, "output": (result.stdout + result.stderr)[-5000:],
            "seconds": time.monotonic() - started}


def _exported_crl(aws: LocalAws, env) -> str | None:
    ec2 = aws.client("ec2", env.config.region)
    (endpoint,) = ec2.describe_client_vpn_endpoints()["ClientVpnEndpoints"]
    exported = ec2.export_client_vpn_client_certificate_revocation_list(ClientVpnEndpointId=endpoint["ClientVpnEndpointId"])
    return exported.get("CertificateRevocationList")


def _without_block(env, header: str):
    """The environment without the block that starts with `header`, e.g. without its Client VPN endpoint
    (a lifecycle test that doesn't wait on associations) or without a site."""
    from stacks.config import load_environment

    folder = Path(env.source).parent
    text = (folder / f"{env.name}.hcl").read_text()
    start = text.index(header)
    depth, end = 0, text.index("{", start)
    for end in range(end, len(text)):
        depth += {"{": 1, "}": -1}.get(text[end], 0)
        if depth == 0:
            break
    (folder / f"{env.name}.hcl").write_text(text[:start] + text[end + 1 :])
    return load_environment(folder / f"{env.name}.hcl")

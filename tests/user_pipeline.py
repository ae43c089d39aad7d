"""The pipeline of an operator's users: the PKI, the deployed endpoint, profiles, the device config and an
offboarding (`vpnctl offboard`: the revocation, the CRL import through Terraform, the sessions ended); the
OpenVPN and strongSwan tests read what it recorded."""

from __future__ import annotations

from pathlib import Path

from tests.lifecycle import Run
from tests.pipelines import CDKTF_DEPLOY, ROOT, VPNCTL, cdktf_user_env, plan_again


def users(run: Run, env, ours: Path) -> dict:
    """dev (one association, as shipped), deployed as an operator does: `vpnctl pki` for alice and bob, then
    `npx cdktf deploy dev`; a plan of vpnctl's own synth (`ours`) on the state it left must find nothing
    to change. Then profiles and the device config (milestone "deployed"), and bob offboarded with
    `vpnctl offboard` while he and alice are connected."""
    from vpnctl.emulator_seed import seed_environment
    from vpnctl.runner import prepare

    record: dict = {"ours": ours / "stacks" / env.name / "cdk.tf.json"}
    build = (run.base / "build").resolve()
    pki_dir = build / "pki"
    with run.emulator(env.config.account_id, "dev") as aws:
        user_env = cdktf_user_env(aws, build, pki_dir, Path(env.source).parent)

        def vpnctl(*args: str):
            return run.command([*VPNCTL, "--environments", str(Path(env.source).parent), *args], cwd=ROOT,
                               env=user_env, aws=aws, merge=False)

        def cdktf_deploy():
            deployed = run.command([*CDKTF_DEPLOY, "--output", str(run.base / "cdktf.out")], cwd=ROOT,
                                   env=user_env, aws=aws)
            return {"status": deployed.returncode, "output": deployed.stdout[-8000:]}

        with run.step("vpnctl pki init, issue alice and bob"):
            for args in (("pki", "init", "dev"), ("pki", "issue", "dev", "alice"), ("pki", "issue", "dev", "bob")):
                step = vpnctl(*args)
                assert step.returncode == 0, step.stdout + step.stderr
            seed_environment(aws, env.config, pki_dir)
        with run.step("npx cdktf deploy dev"):
            record["deploy"] = cdktf_deploy()
        assert record["deploy"]["status"] == 0, record["deploy"]["output"]
        with run.step("init vpnctl's synth on the same state"):
            terraform = prepare(env, ours, build, aws)
        plan_again(run, terraform, record)
        record["state"] = sorted(terraform.run("state", "list").stdout.split())
        with run.step("profiles and device configs"):
            run.reached("deployed", deployed_for_users(aws, env, build, vpnctl))
        record.update(offboarded(run, aws, env, vpnctl, build))
        record["bob_profile_after_revoke"] = vpnctl("client-config", "dev", "bob", "-o", str(build / "bob-again.ovpn"))
        record["pki_dir"] = pki_dir
    return record


def deployed_for_users(aws, env, build: Path, vpnctl) -> dict:
    """What the deployed stack gives its users: profiles, device configs, and (for the test's own AWS
    side) the tunnel options and keys as the emulator stores them."""
    out: dict = {"pki_dir": build / "pki", "crl_before_revoke": exported_crl(aws, env)}
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


def exported_crl(aws, env) -> str | None:
    ec2 = aws.client("ec2", env.config.region)
    (endpoint,) = ec2.describe_client_vpn_endpoints()["ClientVpnEndpoints"]
    exported = ec2.export_client_vpn_client_certificate_revocation_list(ClientVpnEndpointId=endpoint["ClientVpnEndpointId"])
    return exported.get("CertificateRevocationList")


def offboarded(run: Run, aws, env, vpnctl, build: Path) -> dict:
    """Two sessions of bob and one of alice (the emulator's stand-in for users connecting), then `vpnctl offboard
    dev bob --auto-approve` run as a user runs it, again (bob already gone), and for a user never issued."""
    ec2 = aws.client("ec2", env.config.region)
    (endpoint,) = ec2.describe_client_vpn_endpoints()["ClientVpnEndpoints"]
    endpoint_id = endpoint["ClientVpnEndpointId"]
    with run.step("two sessions of bob, one of alice"):
        seeded = {user: [aws.seed_client_vpn_connection(env.config.region, endpoint_id, user) for _ in range(count)]
                  for user, count in (("bob", 2), ("alice", 1))}

    def offboard(user: str):
        return vpnctl("offboard", "dev", user, "--auto-approve", "--build", str(build),
                      "--out", str(run.base / "offboard.out"))

    record: dict = {"seeded": seeded, "endpoint_id": endpoint_id}
    with run.step("vpnctl offboard dev bob"):
        record["offboard"] = offboard("bob")
    record["connections_after"] = ec2.describe_client_vpn_connections(ClientVpnEndpointId=endpoint_id)["Connections"]
    record["crl_after_revoke"] = exported_crl(aws, env)
    with run.step("vpnctl offboard dev bob, again"):
        record["offboard_again"] = offboard("bob")
    record["offboard_unknown"] = offboard("carol")
    return record

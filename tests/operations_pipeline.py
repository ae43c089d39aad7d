"""The day-2 pipeline (tests/test_operations.py reads it): `vpnctl status` and `vpnctl maintenance` run as an
operator runs them, with `--local` against the applied environment's emulator recorded as kept.

dev without its Client VPN endpoint is applied (the provider sleeps 4 minutes per association), with
lifecycle control on for its site; the endpoint is then created straight in the emulator, so `status` has
one to report (the config the commands read keeps its block). The test plays the device: it sets each
tunnel UP or DOWN and seeds AWS's pending maintenance through the emulator's control routes.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from tests.lifecycle import Run, environment
from tests.pipelines import ROOT, apply
from tests.scenarios import variant

LIFECYCLE_ON = [('  crypto_profile = "compatible"\n', '  crypto_profile = "compatible"\n  tunnel_lifecycle_control = true\n')]
NO_ENDPOINT = 'client_vpn "'
SITE, ENDPOINT = "lab-office", "developers"
PENDING = "Tunnel endpoint replacement (security patching)"
REPLACEMENT_SECONDS = 3


def start(catalog) -> None:
    """Synthesizes in the catalog's thread (jsii serves one), then submits the pipeline."""
    applied = catalog.variant("dev", "operations-applied", LIFECYCLE_ON, without=(NO_ENDPOINT,))
    operated = variant("dev", LIFECYCLE_ON, catalog.base / "env-operations")
    catalog.runner.submit("operations", operations, applied, catalog.synth(applied, "operations"), operated)


def operations(run: Run, applied, outdir: Path, operated) -> dict:
    from vpnctl import kept_emulator
    from vpnctl.pki.throwaway import ensure_dev_pki

    region = applied.config.region
    build, pki_dir = (run.base / "build").resolve(), (run.base / "pki").resolve()
    record: dict = {"build": build}
    with run.emulator(applied.config.account_id, "operations") as aws:
        apply(run, applied, outdir, aws, record, build=build)
        kept_emulator.write(build, applied.name, aws)
        ec2 = aws.client("ec2", region)
        (connection,) = ec2.describe_vpn_connections(
            Filters=[{"Name": "tag:Name", "Values": [f"dev-{SITE}"]}])["VpnConnections"]
        cid = connection["VpnConnectionId"]
        first, second = (t["OutsideIpAddress"] for t in connection["Options"]["TunnelOptions"])
        record["secrets"] = secrets_of(aws, region, connection)
        with run.step("the endpoint, created in the emulator, and alice connected"):
            endpoint_id = endpoint(aws, region, ensure_dev_pki(pki_dir, "dev", days=365))
            record["connection_id"] = aws.seed_client_vpn_connection(
                region, endpoint_id, "alice", client_ip="10.110.0.5", ingress_bytes=123456,
                egress_bytes=654321)

        def vpnctl(*args: str) -> dict:
            command = [str(Path(sys.executable).parent / "vpnctl"), "--environments", str(Path(operated.source).parent),
                       *args, "dev", "--local", "--build", str(build)]
            done = run.command(command, cwd=ROOT, env=environment(VPNCTL_PKI_DIR=str(pki_dir)), aws=aws, merge=False)
            # Kept as a user saw it: docs/operating.md's samples come from here.
            with (run.base / "commands.txt").open("a") as log:
                log.write(f"$ vpnctl {' '.join(args)} dev --local\n{done.stdout}{done.stderr}(exit {done.returncode})\n\n")
            return {"status": done.returncode, "output": done.stdout, "errors": done.stderr}

        with run.step("status: tunnel 2 down, then both up"):
            aws.set_tunnel_state(region, cid, first, "UP")
            aws.set_tunnel_state(region, cid, second, "DOWN", status_message="IPSEC IS DOWN")
            record["down"], record["down_json"] = vpnctl("status"), vpnctl("status", "--json")
            aws.set_tunnel_state(region, cid, second, "UP")
            record["up"], record["up_json"] = vpnctl("status"), vpnctl("status", "--json")
        with run.step("maintenance: listed, refused with a tunnel down, applied tunnel by tunnel"):
            deadline = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
            for address in (first, second):
                aws.seed_pending_maintenance(region, cid, address, PENDING, deadline)
            record["deadline"] = deadline
            record["listed"], record["due_json"] = vpnctl("maintenance"), vpnctl("status", "--json")
            aws.set_replacement_seconds(REPLACEMENT_SECONDS)
            aws.set_tunnel_state(region, cid, second, "DOWN", status_message="IPSEC IS DOWN")
            record["refused"] = vpnctl("maintenance", "--apply", SITE)
            aws.set_tunnel_state(region, cid, second, "UP")
            record["history_mark"] = len(aws.tunnel_history(region))
            record["applied"] = vpnctl("maintenance", "--apply", SITE)
            record["history"] = aws.tunnel_history(region)
            record["listed_after"] = vpnctl("maintenance")
        record["tunnels"] = {"connection": cid, "first": first, "second": second}
        kept_emulator.remove(build, applied.name)
    return record


def secrets_of(aws, region: str, connection: dict) -> list[str]:
    """The pre-shared keys AWS runs for the connection: its Secrets Manager secret, and TunnelOptions."""
    import json

    keys = [t["PreSharedKey"] for t in connection["Options"]["TunnelOptions"] if t.get("PreSharedKey")]
    if connection.get("PreSharedKeyArn"):
        stored = aws.client("secretsmanager", region).get_secret_value(SecretId=connection["PreSharedKeyArn"])
        text = stored["SecretString"]
        try:
            keys += [v for v in _strings(json.loads(text)) if len(v) >= 8]
        except ValueError:
            keys.append(text)
    return [k for k in keys if k and k != "REDACTED"]


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def endpoint(aws, region: str, folder: Path) -> str:
    """The developers endpoint as the stack would create it (Name tag, certificates from the dev PKI folder),
    associated with one subnet; returns its ID once the association reports associated."""
    acm = aws.client("acm", region)
    arn = acm.import_certificate(Certificate=(folder / "server.crt").read_bytes(),
                                 PrivateKey=(folder / "server.key").read_bytes(),
                                 CertificateChain=(folder / "ca.crt").read_bytes())["CertificateArn"]
    ec2 = aws.client("ec2", region)
    endpoint_id = ec2.create_client_vpn_endpoint(
        ClientCidrBlock="10.110.0.0/22", ServerCertificateArn=arn, VpcId="vpc-0d1e2f3a4b5c60718",
        AuthenticationOptions=[{"Type": "certificate-authentication",
                                "MutualAuthentication": {"ClientRootCertificateChainArn": arn}}],
        ConnectionLogOptions={"Enabled": False}, SplitTunnel=True, VpnPort=1194,
        TagSpecifications=[{"ResourceType": "client-vpn-endpoint",
                            "Tags": [{"Key": "Name", "Value": f"dev-{ENDPOINT}"}]}])["ClientVpnEndpointId"]
    ec2.associate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id, SubnetId="subnet-0d10000000000000a")
    networks = ec2.describe_client_vpn_target_networks(ClientVpnEndpointId=endpoint_id)["ClientVpnTargetNetworks"]
    assert [n["Status"]["Code"] for n in networks] == ["associated"], networks  # the emulator settles on Describe
    return endpoint_id

"""The emulator under concurrent requests, as `terraform apply -parallelism=30` sends them: many threads of
boto3 clients creating, describing and deleting at once must never get an HTTP 500, everything created must
be there afterwards, and the emulator's own transitions (a replaced tunnel coming back) must happen once each.
The parallel-apply pipeline (tests/concurrency_pipeline.py) applies a few dozen sites at -parallelism=30.

moto's services keep their state in plain dicts and were written for one request at a time: a Describe that
iterates a dict while another thread's create adds to it fails with "dictionary changed size during
iteration" (moto's CloudWatch answered a 200-site apply at -parallelism=30 so). The server runs a thread per
request; the emulator serializes their work on the state (aws_emulator/serialized.py).

Pressure: at the interpreter's default switch interval (5 ms) the race showed about once in a thousand calls
against a CloudWatch holding 500 to 2,000 alarms, too rarely for a test. So the emulator here switches threads
every 100 µs (its `switch-interval` control route), holds PRE_ALARMS alarms, and each DescribeAlarms names 100
(AWS's maximum), so that the iteration is long and interrupted often: unserialized, the emulator failed 7 to 16
of 2,790 calls (six rounds, 500 alarms), and 4 and 7 of this hammer's 1,380 (three rounds, 1,000 alarms: half the
time), all DescribeAlarms and DescribeLogGroups; the pipeline's apply got 500s every time.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from aws_emulator.serialized import log_summary
from tests.concurrency_pipeline import PARALLELISM, SITES, prefill, put_alarm
from vpnctl.emulator_process import LocalAws

ACCOUNT, REGION = "444444444444", "eu-central-1"
VPC, VPC_CIDR = "vpc-0c1c2c3c4c5c6c7c8", "10.50.0.0/16"
SUBNET = "subnet-0c0000000000000a1"
THREADS, ROUNDS = 30, 3
PRE_ALARMS = 1000
READERS, READER_PAUSE = 10, 0.02  # beside the ten operators of the replacement test
SWITCH_INTERVAL = 0.0001
# One attempt: the SDK's retries would hide the 500 this test looks for.
NO_RETRIES = Config(retries={"total_max_attempts": 1}, read_timeout=120, connect_timeout=30)


@pytest.fixture(scope="module")
def aws(tmp_path_factory):
    with LocalAws(ACCOUNT, log_file=tmp_path_factory.mktemp("emulator") / "emulator.log") as server:
        server.post("/_vpn_emulator/seed", {"region": REGION, "vpcs": [{
            "id": VPC, "cidr": VPC_CIDR,
            "subnets": [{"id": SUBNET, "cidr": "10.50.0.0/24", "availability_zone": "eu-central-1a"}]}]})
        ec2 = server.client("ec2", REGION)
        vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
        ec2.attach_vpn_gateway(VpcId=VPC, VpnGatewayId=vgw)
        server.vgw = vgw
        prefill(server, REGION, PRE_ALARMS)
        server.set_switch_interval(SWITCH_INTERVAL)  # after the prefill, which needs no pressure
        yield server


class Hammer:
    """THREADS workers, each with clients of its own, each doing ROUNDS rounds of creates, describes and
    deletes across CloudWatch, CloudWatch Logs, SNS and EC2 (the VPN actions the emulator adds among them)."""

    def __init__(self, aws: LocalAws, label: str):
        self.aws, self.label = aws, label
        self.failures: list[str] = []
        self.kept: dict[str, set[str]] = {"alarms": set(), "log_groups": set(), "topics": set(),
                                          "customer_gateways": set(), "vpn_connections": set()}
        self._lock = threading.Lock()
        self.calls = 0

    def run(self) -> float:
        start = threading.Barrier(THREADS)
        workers = [threading.Thread(target=self._worker, args=(i, start), name=f"hammer-{i}") for i in range(THREADS)]
        began = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        return time.perf_counter() - began

    def _call(self, call, **params):
        """`call(**params)`; a failure of any kind is recorded with the action's name."""
        with self._lock:
            self.calls += 1
        try:
            return call(**params)
        except ClientError as error:
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            self._fail(f"{call.__name__}: HTTP {status} {error.response.get('Error', {}).get('Code')}: {error}")
        except Exception as error:  # noqa: BLE001 - a dropped connection or an unparsable answer counts too
            self._fail(f"{call.__name__}: {type(error).__name__}: {error}")
        return None

    def _fail(self, what: str) -> None:
        with self._lock:
            self.failures.append(what.splitlines()[0][:200])

    def _keep(self, kind: str, value: str) -> None:
        with self._lock:
            self.kept[kind].add(value)

    def _worker(self, i: int, start: threading.Barrier) -> None:
        clients = {name: self.aws.client(name, REGION, config=NO_RETRIES) for name in ("cloudwatch", "logs", "sns", "ec2")}
        start.wait()
        for r in range(ROUNDS):
            self._cloudwatch(clients["cloudwatch"], f"{self.label}-{i}-{r}", delete=r % 2 == 1)
            self._logs_and_sns(clients["logs"], clients["sns"], f"{self.label}-{i}-{r}")
            self._site_to_site(clients["ec2"], i, r)

    def _cloudwatch(self, cloudwatch, name: str, delete: bool) -> None:
        self._call(put_alarm, cloudwatch=cloudwatch, name=name)
        self._call(cloudwatch.describe_alarms, AlarmNames=[name] + [f"existing-{n}" for n in range(99)])
        self._call(cloudwatch.describe_alarms, AlarmNamePrefix=self.label)
        if delete:
            self._call(cloudwatch.delete_alarms, AlarmNames=[name])
        else:
            self._keep("alarms", name)

    def _logs_and_sns(self, logs, sns, name: str) -> None:
        if self._call(logs.create_log_group, logGroupName=f"/vpn/{name}") is not None:
            self._keep("log_groups", f"/vpn/{name}")
        self._call(logs.describe_log_groups, logGroupNamePrefix="/vpn/")
        topic = self._call(sns.create_topic, Name=name)
        if topic:
            self._keep("topics", topic["TopicArn"])
        self._call(sns.list_topics)

    def _site_to_site(self, ec2, i: int, r: int) -> None:
        gateway = self._call(ec2.create_customer_gateway, Type="ipsec.1", IpAddress=f"198.51.{i}.{r + 1}",
                             BgpAsn=65000 + r, TagSpecifications=[{"ResourceType": "customer-gateway", "Tags": [
                                 {"Key": "hammer", "Value": self.label}]}])
        self._call(ec2.describe_customer_gateways)
        self._call(ec2.describe_vpn_gateways)
        self._call(ec2.describe_subnets, Filters=[{"Name": "vpc-id", "Values": [VPC]}])
        if gateway is None:
            return
        gateway_id = gateway["CustomerGateway"]["CustomerGatewayId"]
        self._keep("customer_gateways", gateway_id)
        connection = self._call(ec2.create_vpn_connection, Type="ipsec.1", CustomerGatewayId=gateway_id,
                                VpnGatewayId=self.aws.vgw, Options={"StaticRoutesOnly": True})
        if connection is None:
            return
        connection_id = connection["VpnConnection"]["VpnConnectionId"]
        self._keep("vpn_connections", connection_id)
        self._call(ec2.create_vpn_connection_route, VpnConnectionId=connection_id,
                   DestinationCidrBlock=f"172.{16 + r}.{i}.0/24")
        self._call(ec2.describe_vpn_connections, VpnConnectionIds=[connection_id])
        self._call(ec2.create_tags, Resources=[connection_id], Tags=[{"Key": "round", "Value": str(r)}])


def existing(aws: LocalAws, label: str) -> dict[str, set[str]]:
    """What the emulator holds of this hammer's objects, read one request at a time."""
    cloudwatch, logs, sns, ec2 = (aws.client(name, REGION) for name in ("cloudwatch", "logs", "sns", "ec2"))
    alarms = {a["AlarmName"] for page in cloudwatch.get_paginator("describe_alarms").paginate(AlarmNamePrefix=label)
              for a in page["MetricAlarms"]}
    groups = {g["logGroupName"] for page in logs.get_paginator("describe_log_groups").paginate(
        logGroupNamePrefix=f"/vpn/{label}-") for g in page["logGroups"]}
    topics = {t["TopicArn"] for page in sns.get_paginator("list_topics").paginate() for t in page["Topics"]
              if t["TopicArn"].rsplit(":", 1)[1].startswith(f"{label}-")}
    gateways = {g["CustomerGatewayId"] for g in ec2.describe_customer_gateways(
        Filters=[{"Name": "tag:hammer", "Values": [label]}])["CustomerGateways"] if g["State"] == "available"}
    connections = {c["VpnConnectionId"] for c in ec2.describe_vpn_connections()["VpnConnections"]
                   if c["State"] != "deleted" and c["CustomerGatewayId"] in gateways}
    return {"alarms": alarms, "log_groups": groups, "topics": topics, "customer_gateways": gateways,
            "vpn_connections": connections}


def server_errors(aws: LocalAws) -> list[str]:
    return log_summary(aws.log_file.read_text(errors="replace"))["server_errors"]


@pytest.mark.emulator
def test_thirty_threads_of_creates_describes_and_deletes_get_no_server_error_and_lose_nothing(aws):
    hammer = Hammer(aws, "hammer")
    took = hammer.run()
    print(f"\n{hammer.calls} calls from {THREADS} threads in {took:.1f} s ({hammer.calls / took:.0f} calls/s)")
    by_kind = Counter(hammer.failures)
    assert not by_kind, f"{len(hammer.failures)} of {hammer.calls} calls failed (the emulator's log: " \
        f"{aws.log_file}):\n" + "\n".join(f"{n} × {what}" for what, n in by_kind.most_common())
    assert server_errors(aws) == []
    assert existing(aws, "hammer") == hammer.kept
    assert len(hammer.kept["alarms"]) == THREADS * ((ROUNDS + 1) // 2), "every odd round deletes its alarm"
    assert len(hammer.kept["vpn_connections"]) == THREADS * ROUNDS


@pytest.mark.emulator
def test_tunnel_replacements_come_back_once_each_while_twenty_threads_read_them(aws):
    """The emulator's own transitions (a replaced tunnel DOWN, then back UP once its replacement time has
    passed) are worked out by whichever request looks first: read from many threads at once, each happens once."""
    ec2 = aws.client("ec2", REGION, config=NO_RETRIES)
    connections = []
    for n in range(10):
        gateway = ec2.create_customer_gateway(Type="ipsec.1", IpAddress=f"198.51.200.{n + 1}", BgpAsn=65100)
        created = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=gateway["CustomerGateway"][
            "CustomerGatewayId"], VpnGatewayId=aws.vgw, Options={"StaticRoutesOnly": True})["VpnConnection"]
        first, second = (t["OutsideIpAddress"] for t in created["Options"]["TunnelOptions"])
        for address in (first, second):
            aws.set_tunnel_state(REGION, created["VpnConnectionId"], address, "UP")
        connections.append((created["VpnConnectionId"], first, second))
    hammer, done = Hammer(aws, "replacements"), threading.Event()
    aws.set_replacement_seconds(1.0)
    try:
        def operator(connection_id: str, first: str) -> None:
            client = aws.client("ec2", REGION, config=NO_RETRIES)
            hammer._call(client.replace_vpn_tunnel, VpnConnectionId=connection_id, VpnTunnelOutsideIpAddress=first)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not done.is_set():
                described = hammer._call(client.describe_vpn_connections, VpnConnectionIds=[connection_id])
                if described and {t["OutsideIpAddress"]: t["Status"] for t in described["VpnConnections"][0][
                        "VgwTelemetry"]}[first] == "UP":
                    return
            hammer._fail(f"{connection_id}: tunnel {first} did not come back within 60 s")

        def reader() -> None:  # a short pause between reads: spinning readers only starve the operators
            client = aws.client("ec2", REGION, config=NO_RETRIES)
            while not done.is_set():
                hammer._call(client.describe_vpn_connections, VpnConnectionIds=[c[0] for c in connections])
                done.wait(READER_PAUSE)

        operators = [threading.Thread(target=operator, args=c[:2]) for c in connections]
        readers = [threading.Thread(target=reader) for _ in range(READERS)]
        for thread in readers + operators:
            thread.start()
        for thread in operators:
            thread.join()
        done.set()
        for thread in readers:
            thread.join()
    finally:
        aws.set_replacement_seconds(5)
    assert hammer.failures == []
    history = aws.tunnel_history(REGION)
    for connection_id, first, second in connections:
        assert [c["status"] for c in history if (c["vpn_connection_id"], c["outside_ip"]) == (
            connection_id, first)] == ["UP", "DOWN", "UP"]
        assert [c["status"] for c in history if (c["vpn_connection_id"], c["outside_ip"]) == (
            connection_id, second)] == ["UP"]


@pytest.mark.emulator
def test_a_server_error_is_logged_in_one_line_with_its_service_and_action(aws):
    """moto answers an action it doesn't implement with HTTP 500 (a NotImplementedError): the line a log reader
    searches for names the service and the action."""
    ec2 = aws.client("ec2", REGION, config=NO_RETRIES)
    with pytest.raises(Exception):  # noqa: B017 - an HTML 500 page, which botocore can't parse as EC2's XML
        ec2.describe_ipam_pools()
    expected = ("server error: HTTP 500 ec2 DescribeIpamPools: NotImplementedError: "
                "The describe_ipam_pools action has not been implemented")
    assert [line for line in server_errors(aws) if "DescribeIpamPools" in line] == [expected]


@pytest.mark.terraform
@pytest.mark.pipeline("parallel-apply")
def test_a_few_dozen_sites_apply_at_parallelism_30_without_a_server_error(lifecycle):
    record = lifecycle.result("parallel-apply")
    print(f"\n{record['sites']} sites, {len(record['state'])} resources, applied at -parallelism="
          f"{record['parallelism']} in {record['apply_seconds']:.0f} s; the emulator answered "
          f"{record['requests']} requests")
    assert (record["sites"], record["parallelism"]) == (SITES, PARALLELISM)
    assert record["server_errors"] == []
    assert record["responses_5xx"] == []
    assert len(record["resources"]["vpn_connections"]) == SITES
    assert len(record["resources"]["customer_gateways"]) == SITES


@pytest.mark.terraform
@pytest.mark.pipeline("parallel-apply")
def test_a_plan_after_the_parallel_apply_finds_nothing_to_change(lifecycle):
    assert lifecycle.result("parallel-apply")["second_plan"] == {}


@pytest.mark.emulator
def test_each_answer_closes_its_connection_so_no_client_reuses_one_the_server_is_dropping(aws):
    """HTTP/1.0 answers, then the connection closed (aws_emulator/__main__.py): a keep-alive connection reused by
    the provider just as it went away lost answers on a loaded machine."""
    import http.client
    from urllib.parse import urlparse

    where = urlparse(aws.endpoint)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
    connection.request("POST", "/", body="Action=DescribeRegions&Version=2016-11-15",
                       headers={"Content-Type": "application/x-www-form-urlencoded", "Connection": "keep-alive"})
    answer = connection.getresponse()
    answer.read()
    assert (answer.version, answer.will_close) == (10, True)
    connection.close()

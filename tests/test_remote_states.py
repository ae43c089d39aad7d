"""Reading a stack's state straight from S3 (vpnctl/remote_states.py): the addresses `terraform state list` prints,
the base's outputs, and a state that isn't there yet. S3 answers through botocore's Stubber: no emulator."""

from __future__ import annotations

import io
import json

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from vpnctl.remote_states import RemoteStates, StateReadError, state_addresses

STATE = {
    "version": 4, "lineage": "0f1e", "serial": 7,
    "outputs": {"shard_stacks": {"value": ["prod-emea", "prod-amer"], "type": ["list", "string"]}},
    "resources": [
        {"mode": "managed", "type": "aws_vpn_connection", "name": "site-berlin_connection_0A1B",
         "instances": [{"attributes": {}}]},
        {"mode": "data", "type": "terraform_remote_state", "name": "base", "instances": [{"attributes": {}}]},
        {"mode": "managed", "type": "aws_route", "name": "r", "instances": [{"index_key": 0}, {"index_key": 1}]},
        {"mode": "managed", "type": "aws_route", "name": "n", "module": "module.m",
         "instances": [{"index_key": "a b"}]},
    ],
}


def test_state_addresses_are_those_terraform_state_list_prints():
    assert state_addresses(STATE) == [
        "aws_route.r[0]", "aws_route.r[1]", "aws_vpn_connection.site-berlin_connection_0A1B",
        "data.terraform_remote_state.base", 'module.m.aws_route.n["a b"]']


class _Aws:
    """Stands for the local emulator: hands out the stubbed client."""

    def __init__(self, client):
        self._client = client

    def client(self, service, region, config=None):
        return self._client


@pytest.fixture
def s3():
    client = boto3.session.Session().client("s3", region_name="eu-central-1", aws_access_key_id="x",
                                            aws_secret_access_key="x")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def _body(data: bytes) -> dict:
    return {"Body": StreamingBody(io.BytesIO(data), len(data))}


def test_the_base_s_state_gives_its_addresses_and_outputs_read_once(s3, shipped):
    client, stubber = s3
    stubber.add_response("get_object", _body(json.dumps(STATE).encode()),
                         {"Bucket": shipped["prod"].config.state.bucket, "Key": "vpn/prod/terraform.tfstate"})
    states = RemoteStates(shipped["prod"].config, _Aws(client))
    assert states.output("prod", "shard_stacks") == ["prod-emea", "prod-amer"]
    assert states.addresses("prod") == state_addresses(STATE)  # no second GET: the stubber has none queued
    assert states.output("prod", "no_such_output") is None


@pytest.mark.parametrize("answer", ["missing", "empty", "no lineage"])
def test_a_stack_never_applied_has_no_addresses(s3, shipped, answer):
    client, stubber = s3
    if answer == "missing":
        stubber.add_client_error("get_object", "NoSuchKey", http_status_code=404)
    else:
        stubber.add_response("get_object", _body(b"" if answer == "empty" else b'{"version": 4, "resources": []}'))
    assert RemoteStates(shipped["prod"].config, _Aws(client)).addresses("prod-emea") == []


def test_an_unreadable_state_names_its_object(s3, shipped):
    client, stubber = s3
    stubber.add_client_error("get_object", "AccessDenied", http_status_code=403)
    with pytest.raises(StateReadError, match=r"the state of prod-emea \(s3://.*/vpn/prod-emea/terraform.tfstate\) "
                                             r"could not be read: .*AccessDenied"):
        RemoteStates(shipped["prod"].config, _Aws(client)).addresses("prod-emea")


def test_a_deposed_object_is_not_a_second_address():
    """A create-before-destroy replacement that failed leaves the old object deposed beside the new one: the
    same instance, listed once by `terraform state list`, moved once."""
    state = {"resources": [{"mode": "managed", "type": "aws_customer_gateway", "name": "site-a_cgw",
                            "instances": [{"attributes": {}}, {"deposed": "00000001", "attributes": {}}]}]}
    assert state_addresses(state) == ["aws_customer_gateway.site-a_cgw"]


def test_a_state_that_is_not_an_object_is_refused_by_name(s3, shipped):
    client, stubber = s3
    stubber.add_response("get_object", _body(b"[1, 2]"))
    with pytest.raises(StateReadError, match=r"s3://.*/vpn/prod/terraform.tfstate is not a Terraform state: a JSON list"):
        RemoteStates(shipped["prod"].config, _Aws(client)).addresses("prod")

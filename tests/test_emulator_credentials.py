"""The local AWS asks for a key: it answers only requests signed (SigV4) with its run's own random
credentials, or with temporary credentials its STS issued; everything else is refused the way AWS
refuses it for that protocol, its own seeding routes included."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import boto3
import pytest
from botocore import UNSIGNED
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from vpnctl.emulator_process import LocalAws

pytestmark = pytest.mark.emulator

ACCOUNT, REGION, BUCKET = "111111111111", "eu-central-1", "credentials-test-state"
OTHER = {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
EC2_DESCRIBE_VPCS = b"Action=DescribeVpcs&Version=2016-11-15"


@pytest.fixture(scope="module")
def aws(tmp_path_factory):
    with LocalAws(ACCOUNT, log_file=tmp_path_factory.mktemp("emulator") / "emulator.log") as server:
        server.create_bucket(BUCKET, REGION)
        server.client("s3", REGION).put_object(Bucket=BUCKET, Key="env/terraform.tfstate", Body=b"{}")
        yield server


def client(aws: LocalAws, service: str, config=None, **credentials):
    return boto3.session.Session(region_name=REGION, **credentials).client(
        service, endpoint_url=aws.endpoint, config=config)


def refusal(call, *args, **kwargs) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def raw(aws: LocalAws, path: str, body: bytes | None = None, headers: dict | None = None,
        sign_with: dict | None = None, service: str = "ec2") -> tuple[int, bytes]:
    """A request by hand: unsigned, or signed with `sign_with` (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)."""
    url, method = f"{aws.endpoint}{path}", "POST" if body is not None else "GET"
    headers = dict(headers or {})
    if sign_with:
        request = AWSRequest(method=method, url=url, data=body, headers=headers)
        SigV4Auth(Credentials(sign_with["AWS_ACCESS_KEY_ID"], sign_with["AWS_SECRET_ACCESS_KEY"]), service,
                  REGION).add_auth(request)
        headers = dict(request.headers.items())
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body, headers=headers, method=method)) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


# ---- the run's own credentials ----------------------------------------------------------------


def test_each_local_aws_makes_its_own_random_key_in_aws_s_format(tmp_path):
    first, second = LocalAws(ACCOUNT, tmp_path / "a.log"), LocalAws(ACCOUNT, tmp_path / "b.log")
    for aws in (first, second):
        assert re.fullmatch(r"AKIA[A-Z2-7]{16}", aws.credentials["AWS_ACCESS_KEY_ID"])
        assert len(aws.credentials["AWS_SECRET_ACCESS_KEY"]) == 40
        assert {k: aws.terraform_env()[k] for k in aws.credentials} == aws.credentials
    assert first.credentials["AWS_ACCESS_KEY_ID"] != second.credentials["AWS_ACCESS_KEY_ID"]
    assert first.credentials["AWS_SECRET_ACCESS_KEY"] != second.credentials["AWS_SECRET_ACCESS_KEY"]


def test_the_key_reaches_the_emulator_by_its_environment_not_its_command_line(aws):
    command_line = Path(f"/proc/{aws.pid}/cmdline").read_bytes().decode()
    assert aws.credentials["AWS_ACCESS_KEY_ID"] not in command_line
    assert aws.credentials["AWS_SECRET_ACCESS_KEY"] not in command_line


@pytest.mark.parametrize("service, call", [
    ("ec2", lambda c: c.describe_vpcs()),
    ("s3", lambda c: c.get_object(Bucket=BUCKET, Key="env/terraform.tfstate")["Body"].read()),
    ("sts", lambda c: c.get_caller_identity()),
    ("secretsmanager", lambda c: c.list_secrets()),
    ("acm", lambda c: c.list_certificates()),
    ("logs", lambda c: c.describe_log_groups()),
    ("sns", lambda c: c.list_topics()),
    ("cloudwatch", lambda c: c.describe_alarms()),
    ("kms", lambda c: c.list_keys()),
    ("iam", lambda c: c.list_roles()),
])
def test_calls_signed_with_the_run_s_credentials_work(aws, service, call):
    call(aws.client(service, REGION))


def test_an_s3_upload_with_a_declared_payload_hash_and_an_odd_key_works(aws):
    s3 = aws.client("s3", REGION)
    s3.put_object(Bucket=BUCKET, Key="odd key/a+b~c=d.tfstate", Body=b"state" * 1000)
    assert s3.get_object(Bucket=BUCKET, Key="odd key/a+b~c=d.tfstate")["Body"].read() == b"state" * 1000
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="odd key/")["Contents"]
    assert [o["Key"] for o in listed] == ["odd key/a+b~c=d.tfstate"]


def test_temporary_credentials_from_its_sts_work_only_with_their_session_token(aws):
    issued = aws.client("sts", REGION).assume_role(
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/vpn-deployer", RoleSessionName="vpn-as-code")["Credentials"]
    key = {"aws_access_key_id": issued["AccessKeyId"], "aws_secret_access_key": issued["SecretAccessKey"]}
    assumed = client(aws, "sts", aws_session_token=issued["SessionToken"], **key).get_caller_identity()
    assert assumed["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/vpn-deployer/vpn-as-code"
    client(aws, "ec2", aws_session_token=issued["SessionToken"], **key).describe_vpcs()
    assert refusal(client(aws, "ec2", **key).describe_vpcs)[:2] == ("AuthFailure", 401)


def test_an_access_key_its_iam_made_for_a_user_works_until_deactivated(aws):
    iam = aws.client("iam", REGION)
    iam.create_user(UserName="operator")
    made = iam.create_access_key(UserName="operator")["AccessKey"]
    key = {"aws_access_key_id": made["AccessKeyId"], "aws_secret_access_key": made["SecretAccessKey"]}
    client(aws, "ec2", **key).describe_vpcs()
    iam.update_access_key(UserName="operator", AccessKeyId=made["AccessKeyId"], Status="Inactive")
    assert refusal(client(aws, "ec2", **key).describe_vpcs)[:2] == ("AuthFailure", 401)


def test_a_presigned_url_works_and_a_tampered_one_is_refused(aws):
    url = aws.client("s3", REGION).generate_presigned_url(
        "get_object", Params={"Bucket": BUCKET, "Key": "env/terraform.tfstate"})
    with urllib.request.urlopen(url) as answer:
        assert answer.read() == b"{}"
    status, body = raw(aws, url.removeprefix(aws.endpoint).replace("terraform.tfstate", "other.tfstate"))
    assert status == 403 and ET.fromstring(body).findtext("Code") == "SignatureDoesNotMatch"


# ---- other credentials --------------------------------------------------------------------------


def test_an_ec2_call_with_other_credentials_is_refused_with_auth_failure(aws):
    assert refusal(client(aws, "ec2", **OTHER).describe_vpcs) == (
        "AuthFailure", 401, "AWS was not able to validate the provided access credentials")


def test_the_ec2_refusal_is_ec2_s_error_document(aws):
    other = {"AWS_ACCESS_KEY_ID": OTHER["aws_access_key_id"], "AWS_SECRET_ACCESS_KEY": OTHER["aws_secret_access_key"]}
    status, body = raw(aws, "/", EC2_DESCRIBE_VPCS, {"Content-Type": "application/x-www-form-urlencoded"}, other)
    document = ET.fromstring(body)
    assert status == 401 and document.tag == "Response"
    assert document.findtext("Errors/Error/Code") == "AuthFailure"
    assert document.findtext("Errors/Error/Message") == "AWS was not able to validate the provided access credentials"
    assert document.findtext("RequestID")


def test_an_s3_call_with_other_credentials_is_refused_with_invalid_access_key_id(aws):
    assert refusal(client(aws, "s3", **OTHER).get_object, Bucket=BUCKET, Key="env/terraform.tfstate")[:2] == (
        "InvalidAccessKeyId", 403)
    assert refusal(client(aws, "s3", **OTHER).list_buckets)[:2] == ("InvalidAccessKeyId", 403)


@pytest.mark.parametrize("service, call, code, status", [
    ("sts", lambda c: c.get_caller_identity(), "InvalidClientTokenId", 403),
    ("iam", lambda c: c.list_roles(), "InvalidClientTokenId", 403),
    ("sns", lambda c: c.list_topics(), "InvalidClientTokenId", 403),
    ("secretsmanager", lambda c: c.list_secrets(), "UnrecognizedClientException", 400),
    ("acm", lambda c: c.list_certificates(), "UnrecognizedClientException", 400),
    ("logs", lambda c: c.describe_log_groups(), "UnrecognizedClientException", 400),
    ("cloudwatch", lambda c: c.describe_alarms(), "UnrecognizedClientException", 400),
])
def test_other_services_refuse_other_credentials_with_their_own_error(aws, service, call, code, status):
    assert refusal(call, client(aws, service, **OTHER))[:2] == (code, status)


def test_another_run_s_credentials_are_refused(aws, tmp_path):
    with LocalAws(ACCOUNT, tmp_path / "other-run.log") as other_run:
        other_run.client("ec2", REGION).describe_vpcs()  # its own emulator answers it
        theirs = {"aws_access_key_id": other_run.credentials["AWS_ACCESS_KEY_ID"],
                  "aws_secret_access_key": other_run.credentials["AWS_SECRET_ACCESS_KEY"]}
        assert refusal(client(aws, "ec2", **theirs).describe_vpcs)[:2] == ("AuthFailure", 401)
        assert refusal(client(aws, "s3", **theirs).list_buckets)[:2] == ("InvalidAccessKeyId", 403)


def test_the_run_s_key_id_with_another_secret_is_refused_because_the_signature_is_checked(aws):
    forged = {"aws_access_key_id": aws.credentials["AWS_ACCESS_KEY_ID"], "aws_secret_access_key": "x" * 40}
    assert refusal(client(aws, "ec2", **forged).describe_vpcs)[:2] == ("SignatureDoesNotMatch", 403)
    assert refusal(client(aws, "s3", **forged).list_buckets)[:2] == ("SignatureDoesNotMatch", 403)
    assert refusal(client(aws, "secretsmanager", **forged).list_secrets)[:2] == ("InvalidSignatureException", 400)


# ---- no signature at all -------------------------------------------------------------------------


@pytest.mark.parametrize("service, call, code, status", [
    ("ec2", lambda c: c.describe_vpcs(), "MissingAuthenticationToken", 401),
    ("s3", lambda c: c.get_object(Bucket=BUCKET, Key="env/terraform.tfstate"), "AccessDenied", 403),
    ("sts", lambda c: c.get_caller_identity(), "MissingAuthenticationToken", 403),
    ("secretsmanager", lambda c: c.list_secrets(), "MissingAuthenticationTokenException", 400),
])
def test_a_request_without_a_signature_is_refused(aws, service, call, code, status):
    assert refusal(call, client(aws, service, config=Config(signature_version=UNSIGNED)))[:2] == (code, status)


def test_a_request_without_an_authorization_header_reads_nothing(aws):
    status, body = raw(aws, "/", EC2_DESCRIBE_VPCS, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 401 and b"<Code>MissingAuthenticationToken</Code>" in body and b"vpc-" not in body
    status, body = raw(aws, f"/{BUCKET}/env/terraform.tfstate")
    assert status == 403 and ET.fromstring(body).findtext("Code") == "AccessDenied"


# ---- the emulator's own routes ------------------------------------------------------------------


def test_the_seeding_and_inspection_routes_refuse_a_request_without_the_key(aws):
    seed = json.dumps({"region": REGION, "vpcs": [{"id": "vpc-0f0f0f0f0f0f0f0f0", "cidr": "10.9.0.0/16"}]}).encode()
    other = {"AWS_ACCESS_KEY_ID": OTHER["aws_access_key_id"], "AWS_SECRET_ACCESS_KEY": OTHER["aws_secret_access_key"]}
    for sign_with in (None, other):
        status, _ = raw(aws, "/_vpn_emulator/seed", seed, {"Content-Type": "application/json"}, sign_with,
                        service="vpn-emulator")
        assert status == 403
        status, body = raw(aws, f"/_vpn_emulator/resources?region={REGION}", sign_with=sign_with,
                           service="vpn-emulator")
        assert status == 403 and b"vpn_connections" not in body
    assert not aws.client("ec2", REGION).describe_vpcs(
        Filters=[{"Name": "vpc-id", "Values": ["vpc-0f0f0f0f0f0f0f0f0"]}])["Vpcs"]
    assert aws.post("/_vpn_emulator/seed", json.loads(seed)) == {"created": ["vpc-0f0f0f0f0f0f0f0f0"]}
    assert aws.resources(REGION) == {"vpn_connections": [], "customer_gateways": [], "vpn_gateways": [],
                                     "client_vpn_endpoints": []}

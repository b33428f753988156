"""The ``aws-sdk:s3:*`` handlers called directly, over a temporary data root: each action's
output members, each error's name, and parameters that fail the task with States.Runtime."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

import stepline
from stepline.asl.errors import PAYLOAD_LIMIT_BYTES
from stepline.integrations.base import Registry, TaskFailure, TaskRequest
from stepline.integrations.s3 import S3
from stepline.lake.objects import LocalObjects
from stepline.lake.paths import LakePaths

ARN = "arn:aws:states:::aws-sdk:s3:"


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    (tmp_path / "lake").mkdir()
    return tmp_path


def call(root: Path, action: str, region: str = "us-east-1", **params: Any) -> Any:
    registry = Registry([S3(LocalObjects(LakePaths(root)))])
    request = TaskRequest(ARN + action, params, "Step", "arn:exec", "token", region=region)
    return registry.invoke(request)


def fails(root: Path, action: str, **params: Any) -> TaskFailure:
    with pytest.raises(TaskFailure) as caught:
        call(root, action, **params)
    return caught.value


def md5(data: bytes) -> str:
    return f'"{hashlib.md5(data).hexdigest()}"'


def test_put_then_get_and_head(lake: Path) -> None:
    put = call(lake, "putObject", Bucket="lake", Key="in/a.txt", Body="hello")
    # AWS: a string Body is written as its JSON text, quotes included.
    assert put == {"ETag": md5(b'"hello"'), "ServerSideEncryption": "AES256"}
    assert (lake / "lake" / "in" / "a.txt").read_bytes() == b'"hello"'
    got = call(lake, "getObject", Bucket="lake", Key="in/a.txt")
    assert list(got) == [
        "AcceptRanges",
        "ContentLength",
        "ContentType",
        "ETag",
        "LastModified",
        "Metadata",
        "ServerSideEncryption",
        "Body",
    ]
    assert got["Body"] == '"hello"' and got["ContentLength"] == 7
    assert got["ETag"] == put["ETag"] and got["ContentType"] == "binary/octet-stream"
    mtime = int((lake / "lake" / "in" / "a.txt").stat().st_mtime)
    assert got["LastModified"] == mtime * 1000  # epoch milliseconds
    head = call(lake, "headObject", Bucket="lake", Key="in/a.txt")
    assert head == {key: value for key, value in got.items() if key != "Body"}


@pytest.mark.parametrize(
    ("body", "stored"),
    [
        ({"id": 1, "name": "é"}, '{"id":1,"name":"é"}'),
        ([1, "two"], '[1,"two"]'),
        (False, "false"),
        (0, "0"),
        ("line1\nline2", '"line1\\nline2"'),
    ],
)
def test_a_json_body_is_written_as_compact_json_text(lake: Path, body: Any, stored: str) -> None:
    put = call(lake, "putObject", Bucket="lake", Key="k", Body=body)
    assert (lake / "lake" / "k").read_text() == stored
    assert put["ETag"] == md5(stored.encode())


def test_put_without_body_content_type_and_metadata(lake: Path) -> None:
    call(
        lake,
        "putObject",
        Bucket="lake",
        Key="k.csv",
        ContentType="text/csv",
        Metadata={"Run": "r1", "Count": 3},
    )
    head = call(lake, "headObject", Bucket="lake", Key="k.csv")
    assert head["ContentLength"] == 0 and head["ContentType"] == "text/csv"
    assert head["Metadata"] == {"run": "r1", "count": "3"}


def test_get_reads_files_written_by_other_means(lake: Path) -> None:
    (lake / "lake" / "out").mkdir()
    (lake / "lake" / "out" / "part-0.csv").write_bytes(b"id,name\n1,caf\xc3\xa9\n\xff\n")
    got = call(lake, "getObject", Bucket="lake", Key="out/part-0.csv")
    # Not UTF-8 (the \xff) comes back as U+FFFD.
    assert got["Body"] == "id,name\n1,café\n\ufffd\n"
    assert got["ETag"] == md5(b"id,name\n1,caf\xc3\xa9\n\xff\n") and got["Metadata"] == {}


def test_list_objects_v2_members_and_pages(lake: Path) -> None:
    for key in ["in/a.csv", "in/b.csv", "in/sub/c.csv", "top.txt"]:
        call(lake, "putObject", Bucket="lake", Key=key, Body=key)
    first = call(lake, "listObjectsV2", Bucket="lake", Prefix="in/", Delimiter="/", MaxKeys=2)
    assert first["IsTruncated"] is True and first["KeyCount"] == 2
    assert [entry["Key"] for entry in first["Contents"]] == ["in/a.csv", "in/b.csv"]
    entry = first["Contents"][0]
    assert list(entry) == ["Key", "LastModified", "ETag", "Size", "StorageClass"]
    assert entry["ETag"] == md5(b'"in/a.csv"') and entry["Size"] == 10
    assert entry["StorageClass"] == "STANDARD" and isinstance(entry["LastModified"], int)
    assert (first["Name"], first["Prefix"], first["Delimiter"], first["MaxKeys"]) == (
        "lake",
        "in/",
        "/",
        2,
    )
    assert "CommonPrefixes" not in first
    token = first["NextContinuationToken"]
    second = call(
        lake,
        "listObjectsV2",
        Bucket="lake",
        Prefix="in/",
        Delimiter="/",
        MaxKeys=2,
        ContinuationToken=token,
    )
    assert second["IsTruncated"] is False and "Contents" not in second
    assert second["CommonPrefixes"] == [{"Prefix": "in/sub/"}] and second["KeyCount"] == 1
    assert second["ContinuationToken"] == token and "NextContinuationToken" not in second
    after = call(lake, "listObjectsV2", Bucket="lake", StartAfter="in/sub/c.csv")
    assert [entry["Key"] for entry in after["Contents"]] == ["top.txt"]
    assert after["StartAfter"] == "in/sub/c.csv" and after["Prefix"] == ""
    assert after["MaxKeys"] == 1000 and "Delimiter" not in after


def test_copy_object(lake: Path) -> None:
    call(lake, "putObject", Bucket="lake", Key="a b+c.json", Body={"x": 1}, ContentType="a/b")
    copied = call(
        lake, "copyObject", Bucket="lake", Key="copies/one.json", CopySource="lake/a%20b%2Bc.json"
    )
    assert copied["CopyObjectResult"]["ETag"] == md5(b'{"x":1}')
    assert isinstance(copied["CopyObjectResult"]["LastModified"], int)
    assert copied["ServerSideEncryption"] == "AES256"
    head = call(lake, "headObject", Bucket="lake", Key="copies/one.json")
    assert head["ContentType"] == "a/b"
    # ContentType applies only with MetadataDirective REPLACE.
    call(
        lake,
        "copyObject",
        Bucket="lake",
        Key="copies/two.json",
        CopySource="/lake/a%20b%2Bc.json",
        ContentType="text/plain",
    )
    assert call(lake, "headObject", Bucket="lake", Key="copies/two.json")["ContentType"] == "a/b"
    call(
        lake,
        "copyObject",
        Bucket="lake",
        Key="copies/two.json",
        CopySource="lake/copies/two.json",
        MetadataDirective="REPLACE",
        ContentType="text/plain",
        Metadata={"k": "v"},
    )
    head = call(lake, "headObject", Bucket="lake", Key="copies/two.json")
    assert (head["ContentType"], head["Metadata"]) == ("text/plain", {"k": "v"})


def test_delete_object_and_delete_objects(lake: Path) -> None:
    for key in ["a", "b", "c"]:
        call(lake, "putObject", Bucket="lake", Key=key, Body=key)
    assert call(lake, "deleteObject", Bucket="lake", Key="a") == {}
    assert call(lake, "deleteObject", Bucket="lake", Key="a") == {}  # AWS: missing is fine
    result = call(
        lake,
        "deleteObjects",
        Bucket="lake",
        Delete={"Objects": [{"Key": "b"}, {"Key": "nope"}, {"Key": "x//y"}]},
    )
    assert result["Deleted"] == [{"Key": "b"}, {"Key": "nope"}]
    (error,) = result["Errors"]
    assert error["Key"] == "x//y" and error["Code"] == "InvalidArgument"
    quiet = call(
        lake, "deleteObjects", Bucket="lake", Delete={"Objects": [{"Key": "c"}], "Quiet": True}
    )
    assert quiet == {}
    listed = call(lake, "listObjectsV2", Bucket="lake")
    assert listed["KeyCount"] == 0 and "Contents" not in listed


def test_buckets(lake: Path) -> None:
    assert call(lake, "createBucket", Bucket="raw") == {"Location": "/raw"}
    # AWS: re-creating your own bucket is 200 OK in us-east-1 only.
    assert call(lake, "createBucket", Bucket="raw") == {"Location": "/raw"}
    with pytest.raises(TaskFailure) as caught:
        call(lake, "createBucket", region="eu-west-1", Bucket="raw")
    assert caught.value.error == "S3.BucketAlreadyOwnedByYouException"
    made = call(lake, "createBucket", region="eu-west-1", Bucket="eu-data")
    assert made == {"Location": "http://eu-data.s3.amazonaws.com/"}
    listed = call(lake, "listBuckets")
    assert [bucket["Name"] for bucket in listed["Buckets"]] == ["eu-data", "lake", "raw"]
    assert all(isinstance(bucket["CreationDate"], int) for bucket in listed["Buckets"])
    only = call(lake, "listBuckets", Prefix="r")
    assert [bucket["Name"] for bucket in only["Buckets"]] == ["raw"] and only["Prefix"] == "r"


# ---- errors --------------------------------------------------------------------------------


def test_missing_keys_and_buckets(lake: Path) -> None:
    failure = fails(lake, "getObject", Bucket="lake", Key="missing.csv")
    assert failure.error == "S3.NoSuchKeyException"
    assert failure.cause == (
        "The specified key does not exist: s3://lake/missing.csv (Service: S3, Status Code: 404)"
    )
    assert fails(lake, "getObject", Bucket="nope", Key="k").error == "S3.NoSuchBucketException"
    assert fails(lake, "listObjectsV2", Bucket="nope").error == "S3.NoSuchBucketException"
    assert fails(lake, "putObject", Bucket="nope", Key="k").error == "S3.NoSuchBucketException"
    assert fails(lake, "deleteObject", Bucket="nope", Key="k").error == "S3.NoSuchBucketException"
    copy = fails(lake, "copyObject", Bucket="lake", Key="b", CopySource="lake/missing")
    assert copy.error == "S3.NoSuchKeyException"
    # AWS: a HEAD's 404 has no body: a missing key and a missing bucket both read NoSuchKey.
    assert fails(lake, "headObject", Bucket="lake", Key="k").error == "S3.NoSuchKeyException"
    assert fails(lake, "headObject", Bucket="nope", Key="k").error == "S3.NoSuchKeyException"


def test_errors_s3_does_not_model_are_s3_exceptions(lake: Path) -> None:
    failure = fails(lake, "putObject", Bucket="lake", Key="a/../b", Body="x")
    assert failure.error == "S3.S3Exception" and "reserved" in (failure.cause or "")
    assert "Status Code: 400" in (failure.cause or "")
    assert fails(lake, "getObject", Bucket="Bad_Name", Key="k").error == "S3.S3Exception"
    token = fails(lake, "listObjectsV2", Bucket="lake", ContinuationToken="garbage")
    assert token.error == "S3.S3Exception" and "continuation token" in (token.cause or "")
    call(lake, "putObject", Bucket="lake", Key="same", Body="x")
    self_copy = fails(lake, "copyObject", Bucket="lake", Key="same", CopySource="lake/same")
    assert self_copy.error == "S3.InvalidRequestException"
    many = fails(lake, "deleteObjects", Bucket="lake", Delete={"Objects": []})
    assert many.error == "S3.S3Exception" and "1 to 1000" in (many.cause or "")


def test_a_body_over_the_payload_limit_fails_before_loading_it(lake: Path) -> None:
    with open(lake / "lake" / "big.csv", "wb") as handle:
        handle.truncate(PAYLOAD_LIMIT_BYTES + 1)
    failure = fails(lake, "getObject", Bucket="lake", Key="big.csv")
    assert failure.error == "States.DataLimitExceeded"
    assert failure.cause == (
        "The state/task 'aws-sdk:s3' returned a result with a size exceeding the maximum "
        "number of bytes service limit."
    )
    # head still works: it has no Body.
    assert call(lake, "headObject", Bucket="lake", Key="big.csv")["ContentLength"] == (
        PAYLOAD_LIMIT_BYTES + 1
    )


@pytest.mark.parametrize(
    ("action", "params", "words"),
    [
        (
            "getObject",
            {"Bucket": "lake", "Key": "k", "Bukket": "x"},
            "['Bukket'] are not GetObject",
        ),
        (
            "getObject",
            {"Bucket": "lake", "Key": "k", "Range": "bytes=0-9"},
            "support the GetObject",
        ),
        ("getObject", {"Bucket": "lake"}, "GetObject requires the field(s) ['Key']"),
        (
            "listObjectsV2",
            {"Bucket": "lake", "MaxKeys": "10"},
            "'MaxKeys' must be an integer, not \"10\"",
        ),
        (
            "putObject",
            {"Bucket": "lake", "Key": "k", "Metadata": [1]},
            "'Metadata' must be an object",
        ),
        ("copyObject", {"Bucket": "lake", "Key": "k", "CopySource": "lake"}, "bucket/key"),
        ("copyObject", {"Bucket": "lake", "Key": "k", "CopySource": "l/k?versionId=1"}, "version"),
        (
            "copyObject",
            {"Bucket": "lake", "Key": "k", "CopySource": "l/k", "MetadataDirective": "MERGE"},
            "COPY or REPLACE",
        ),
        ("deleteObjects", {"Bucket": "lake", "Delete": {"Objects": "k"}}, '{"Objects"'),
        ("getObjectAcl", {"Bucket": "lake", "Key": "k"}, "does not support"),
    ],
)
def test_bad_parameters_fail_with_states_runtime(
    lake: Path, action: str, params: dict[str, Any], words: str
) -> None:
    failure = fails(lake, action, **params)
    assert failure.error == "States.Runtime"
    assert words in (failure.cause or "") and "(state 'Step')" in (failure.cause or "")


def test_ignored_members_are_accepted(lake: Path) -> None:
    put = call(
        lake,
        "putObject",
        Bucket="lake",
        Key="k",
        Body="x",
        ExpectedBucketOwner="123456789012",
        ServerSideEncryption="AES256",
        StorageClass="STANDARD",
    )
    assert put["ETag"] == md5(b'"x"')
    got = call(lake, "getObject", Bucket="lake", Key="k", ChecksumMode="ENABLED")
    assert got["Body"] == '"x"'


def test_other_resources_are_not_this_integrations(lake: Path) -> None:
    s3 = S3(LocalObjects(LakePaths(lake)))
    assert s3.handler_for("arn:aws:states:::aws-sdk:sqs:sendMessage") is None
    assert s3.handler_for("arn:aws:states:::s3:getObject") is None


@pytest.mark.parametrize(
    "action",
    ["getObject", "putObject", "headObject", "copyObject", "deleteObject", "listObjectsV2"],
)
def test_definitions_with_s3_steps_validate(action: str) -> None:
    state = {"Type": "Task", "Resource": ARN + action, "Parameters": {"Bucket": "b"}, "End": True}
    assert stepline.validate({"StartAt": "S", "States": {"S": state}}) == []

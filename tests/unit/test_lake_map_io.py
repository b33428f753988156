"""The ItemReader and ResultWriter over real files in a temporary lake."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from stepline.lake.item_reader import GET_OBJECT, LIST_OBJECTS, ItemReaderError, read_items
from stepline.lake.objects import LocalObjects
from stepline.lake.paths import LakePaths
from stepline.lake.result_writer import ResultWriterError, write_results


@pytest.fixture
def objects(tmp_path: Path) -> LocalObjects:
    (tmp_path / "lake").mkdir()
    return LocalObjects(LakePaths(tmp_path))


def get(objects: LocalObjects, key: str, body: bytes | str, **config: Any) -> list[Any]:
    objects.put("lake", key, body.encode() if isinstance(body, str) else body)
    request = {"Resource": GET_OBJECT, "Parameters": {"Bucket": "lake", "Key": key}}
    return read_items(objects, {**request, "ReaderConfig": config})


def test_csv_with_a_header_row_gives_strings(objects: LocalObjects) -> None:
    body = 'id,name,amount\n1,"Smith, J",10.5\n2,Lee\n3,Kim,7,extra\n\n'
    assert get(objects, "a.csv", body, InputType="CSV") == [
        {"id": "1", "name": "Smith, J", "amount": "10.5"},
        {"id": "2", "name": "Lee", "amount": ""},  # short rows get ""
        {"id": "3", "name": "Kim", "amount": "7"},  # extra fields are dropped
    ]


def test_csv_with_given_headers_and_other_delimiters(objects: LocalObjects) -> None:
    config = {"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["a", "b"]}
    assert get(objects, "p.csv", "1|x\n2|y\n", CSVDelimiter="PIPE", **config) == [
        {"a": "1", "b": "x"},
        {"a": "2", "b": "y"},
    ]
    assert get(objects, "t.tsv", "1\tx\n", CSVDelimiter="TAB", **config) == [{"a": "1", "b": "x"}]
    assert get(objects, "s.csv", "1;x\n", CSVDelimiter="SEMICOLON", **config) == [
        {"a": "1", "b": "x"}
    ]
    assert get(objects, "e.csv", "1 x\n", CSVDelimiter="SPACE", **config) == [{"a": "1", "b": "x"}]


def test_csv_duplicate_headers_fail(objects: LocalObjects) -> None:
    with pytest.raises(ItemReaderError, match="CSV headers cannot contain duplicates"):
        get(objects, "d.csv", "a,a\n1,2\n", InputType="CSV")


def test_max_items_caps_the_rows(objects: LocalObjects) -> None:
    body = "n\n" + "".join(f"{i}\n" for i in range(100))
    assert get(objects, "m.csv", body, InputType="CSV", MaxItems=3) == [
        {"n": "0"},
        {"n": "1"},
        {"n": "2"},
    ]


def test_json_array_pointer_and_not_an_array(objects: LocalObjects) -> None:
    assert get(objects, "a.json", '[{"x": 1}, 2]', InputType="JSON") == [{"x": 1}, 2]
    nested = json.dumps({"data": {"rows": [1, 2]}})
    assert get(objects, "n.json", nested, InputType="JSON", ItemsPointer="/data/rows") == [1, 2]
    with pytest.raises(ItemReaderError, match="Attempting to map over non-iterable node"):
        get(objects, "o.json", '{"x": 1}', InputType="JSON")
    with pytest.raises(ItemReaderError, match="is not JSON"):
        get(objects, "bad.json", "[1,", InputType="JSON")


def test_jsonl_one_item_per_line(objects: LocalObjects) -> None:
    body = '{"a": 1}\n\n[2]\n"three"\n'
    assert get(objects, "a.jsonl", body, InputType="JSONL") == [{"a": 1}, [2], "three"]
    with pytest.raises(ItemReaderError, match="line 2 is not JSON"):
        get(objects, "b.jsonl", '1\n{"a"\n', InputType="JSONL")


def test_parquet_rows_as_json(objects: LocalObjects, tmp_path: Path) -> None:
    table = pa.table({"id": [1, 2], "name": ["a", None], "price": [1.5, 2.0]})
    local = tmp_path / "t.parquet"
    pq.write_table(table, local)
    assert get(objects, "t.parquet", local.read_bytes(), InputType="PARQUET") == [
        {"id": 1, "name": "a", "price": 1.5},
        {"id": 2, "name": None, "price": 2.0},
    ]
    with pytest.raises(ItemReaderError, match="not a Parquet file"):
        get(objects, "x.parquet", b"nope", InputType="PARQUET")


def test_a_missing_object_or_bucket_fails_with_s3s_code(objects: LocalObjects) -> None:
    request = {"Resource": GET_OBJECT, "Parameters": {"Bucket": "lake", "Key": "none.csv"}}
    with pytest.raises(ItemReaderError, match="NoSuchKey"):
        read_items(objects, {**request, "ReaderConfig": {"InputType": "CSV"}})
    request = {"Resource": LIST_OBJECTS, "Parameters": {"Bucket": "other"}}
    with pytest.raises(ItemReaderError, match="NoSuchBucket"):
        read_items(objects, request)
    with pytest.raises(ItemReaderError, match="Bucket must be a non-empty string"):
        read_items(objects, {"Resource": LIST_OBJECTS, "Parameters": {}})


def test_list_objects_v2_gives_every_page_with_aws_member_names(objects: LocalObjects) -> None:
    for i in range(2001):  # three pages of 1000
        objects.put("lake", f"in/{i:05d}.txt", b"x" * (i % 7))
    objects.put("lake", "other/skip.txt", b"")
    request = {"Resource": LIST_OBJECTS, "Parameters": {"Bucket": "lake", "Prefix": "in/"}}
    items = read_items(objects, request)
    assert len(items) == 2001
    assert [item["Key"] for item in items[:2]] == ["in/00000.txt", "in/00001.txt"]
    first = items[3]
    assert set(first) == {"Etag", "Key", "LastModified", "Size", "StorageClass"}
    assert first["Size"] == 3 and first["StorageClass"] == "STANDARD"
    assert first["Etag"].startswith('"') and isinstance(first["LastModified"], int)
    capped = read_items(objects, {**request, "ReaderConfig": {"MaxItems": 1001}})
    assert len(capped) == 1001


def test_list_objects_delimiter_and_load_and_flatten(objects: LocalObjects) -> None:
    objects.put("lake", "d/a.jsonl", b"1\n2\n")
    objects.put("lake", "d/b.jsonl", b"3\n")
    objects.put("lake", "d/sub/c.jsonl", b"4\n")
    parameters = {"Bucket": "lake", "Prefix": "d/", "Delimiter": "/"}
    keys = [
        i["Key"] for i in read_items(objects, {"Resource": LIST_OBJECTS, "Parameters": parameters})
    ]
    assert keys == ["d/a.jsonl", "d/b.jsonl"]
    config = {"InputType": "JSONL", "Transformation": "LOAD_AND_FLATTEN"}
    request = {"Resource": LIST_OBJECTS, "Parameters": {"Bucket": "lake", "Prefix": "d/"}}
    assert read_items(objects, {**request, "ReaderConfig": config}) == [1, 2, 3, 4]


def test_an_s3_inventory_manifest_lists_its_files_rows(objects: LocalObjects) -> None:
    objects.put(
        "lake", "inv/data/1.csv.gz", gzip.compress(b'"lake","a.txt","3"\n"lake","b.txt","5"\n')
    )
    objects.put("lake", "inv/data/2.csv", b'"lake","c.txt","1"\n')
    manifest = {
        "sourceBucket": "lake",
        "destinationBucket": "arn:aws:s3:::lake",
        "fileFormat": "CSV",
        "fileSchema": "Bucket, Key, Size",
        "files": [{"key": "inv/data/1.csv.gz", "size": 1}, {"key": "inv/data/2.csv", "size": 1}],
    }
    items = get(objects, "inv/manifest.json", json.dumps(manifest), InputType="MANIFEST")
    assert items == [
        {"Bucket": "lake", "Key": "a.txt", "Size": "3"},
        {"Bucket": "lake", "Key": "b.txt", "Size": "5"},
        {"Bucket": "lake", "Key": "c.txt", "Size": "1"},
    ]
    with pytest.raises(ItemReaderError, match="not an S3 Inventory manifest"):
        get(objects, "inv/bad.json", "{}", InputType="MANIFEST")


RECORDS = [
    {"Status": "SUCCEEDED", "Name": "n0", "Output": "[1,2]", "Input": '"a"'},
    {"Status": "FAILED", "Name": "n1", "Error": "E", "Cause": "c", "Input": '"b"'},
]
ARN = "arn:aws:states:us-east-1:123456789012:mapRun:M/Fan:0f0e-run"


def write(objects: LocalObjects, **config: Any) -> dict[str, str]:
    request = {
        "Parameters": {"Bucket": "lake", "Prefix": "out/"},
        "WriterConfig": config,
        "MapRunArn": ARN,
        "Results": RECORDS,
    }
    return write_results(objects, request)


def test_results_manifest_and_files(objects: LocalObjects) -> None:
    where = write(objects)
    assert where == {"Bucket": "lake", "Key": "out/0f0e-run/manifest.json"}
    manifest = json.loads(objects.get("lake", where["Key"]).body)
    succeeded = objects.head("lake", "out/0f0e-run/SUCCEEDED_0.json")
    failed = objects.head("lake", "out/0f0e-run/FAILED_0.json")
    assert manifest == {
        "DestinationBucket": "lake",
        "MapRunArn": ARN,
        "ResultFiles": {
            "FAILED": [{"Key": "out/0f0e-run/FAILED_0.json", "Size": failed.size}],
            "PENDING": [],
            "SUCCEEDED": [{"Key": "out/0f0e-run/SUCCEEDED_0.json", "Size": succeeded.size}],
        },
    }
    assert json.loads(objects.get("lake", "out/0f0e-run/SUCCEEDED_0.json").body) == RECORDS[:1]
    assert json.loads(objects.get("lake", "out/0f0e-run/FAILED_0.json").body) == RECORDS[1:]


def test_writer_config_compact_flatten_and_jsonl(objects: LocalObjects) -> None:
    write(objects, Transformation="COMPACT")
    assert json.loads(objects.get("lake", "out/0f0e-run/SUCCEEDED_0.json").body) == [[1, 2]]
    write(objects, Transformation="FLATTEN", OutputType="JSONL")
    lines = objects.get("lake", "out/0f0e-run/SUCCEEDED_0.json").body.decode().splitlines()
    assert lines == ["1", "2"]
    failed = objects.get("lake", "out/0f0e-run/FAILED_0.json").body.decode().splitlines()
    assert [json.loads(line) for line in failed] == RECORDS[1:]  # failures are kept whole


def test_writing_to_a_missing_bucket_fails(objects: LocalObjects) -> None:
    request = {"Parameters": {"Bucket": "nowhere"}, "MapRunArn": ARN, "Results": RECORDS}
    with pytest.raises(ResultWriterError, match="NoSuchBucket"):
        write_results(objects, request)

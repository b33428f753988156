"""s3:// URL <-> local path mapping under a data root, and job argument rewriting."""

from __future__ import annotations

from pathlib import Path

import pytest

from stepline.lake.paths import LakePathError, LakePaths, S3Location, is_s3_url, parse_s3_url

ROOT = Path("/data/lake")


def test_parses_bucket_and_key() -> None:
    assert parse_s3_url("s3://raw-data/orders/2024/file.csv") == S3Location(
        "raw-data", "orders/2024/file.csv"
    )
    assert parse_s3_url("s3://raw-data/orders/") == S3Location("raw-data", "orders", True)
    assert parse_s3_url("s3://raw-data") == S3Location("raw-data", "")
    assert parse_s3_url("s3a://raw.data/x").bucket == "raw.data"
    assert parse_s3_url("S3N://raw-data/x").key == "x"


def test_collapses_empty_segments_like_hadoop() -> None:
    assert parse_s3_url("s3://raw-data//orders///2024/").key == "orders/2024"


def test_recognises_s3_urls() -> None:
    assert is_s3_url("s3://b/k") and is_s3_url("s3a://b/k") and is_s3_url("S3://b")
    assert not is_s3_url("/tmp/s3://x") and not is_s3_url("gs://b/k") and not is_s3_url(3)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("/local/path", "it must start with s3://"),
        ("s3://", "the bucket name is missing"),
        ("s3:///key", "the bucket name is missing"),
        ("s3://ab/key", "must be 3 to 63 characters long"),
        ("s3://" + "a" * 64 + "/key", "must be 3 to 63 characters long"),
        ("s3://Raw_Data/key", "may contain only lowercase letters"),
        ("s3://-raw/key", "must start and end with a letter or digit"),
        ("s3://raw..data/key", "must not contain two adjacent dots"),
        ("s3://192.168.1.1/key", "must not be formatted as an IP address"),
        ("s3://raw-data/a/../b", "'.' and '..' segments are not allowed"),
        ("s3://raw-data/a/./b", "'.' and '..' segments are not allowed"),
        ("s3://raw-data/a\x00b", "NUL character"),
    ],
)
def test_bad_urls_name_the_url_the_place_and_the_problem(url: str, reason: str) -> None:
    with pytest.raises(LakePathError) as raised:
        parse_s3_url(url, where="argument --input_path")
    message = str(raised.value)
    assert message.startswith(f"invalid S3 URL {url!r} in argument --input_path: ")
    assert reason in message


def test_maps_urls_under_the_data_root() -> None:
    paths = LakePaths(ROOT)
    assert paths.local_path("s3://raw-data/orders/a.csv") == ROOT / "raw-data/orders/a.csv"
    assert paths.local_path("s3://raw-data/") == ROOT / "raw-data"
    assert paths.local_str("s3://raw-data/orders/") == "/data/lake/raw-data/orders/"
    assert paths.local_str("s3://raw-data/orders") == "/data/lake/raw-data/orders"
    assert paths.resolve("/already/local") == "/already/local"


def test_relative_data_root_becomes_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert LakePaths(Path("lake")).data_root == tmp_path / "lake"
    with pytest.raises(LakePathError, match="must not be empty"):
        LakePaths("")  # type: ignore[arg-type]


def test_maps_local_paths_back_to_urls() -> None:
    paths = LakePaths(ROOT)
    for url in ("s3://raw-data/orders/a.csv", "s3://raw-data/orders/", "s3://raw-data/"):
        assert paths.url_for(paths.local_str(url)) == url
    assert paths.url_for("/data/lake/raw-data/x/../y") == "s3://raw-data/y"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("relative/x", "must be absolute"),
        ("/elsewhere/raw-data/x", "is not under the lake data root '/data/lake'"),
        ("/data/lakeside/raw-data/x", "is not under the lake data root"),
        ("/data/lake", "is the data root itself"),
        ("/data/lake/Bad_Bucket/x", "does not name a valid bucket"),
    ],
)
def test_unmappable_local_paths_are_named(path: str, reason: str) -> None:
    with pytest.raises(LakePathError) as raised:
        LakePaths(ROOT).url_for(path, where="the bookmark")
    assert repr(path) in str(raised.value) and "in the bookmark" in str(raised.value)
    assert reason in str(raised.value)


def test_rewrites_glue_argv_values() -> None:
    argv = (
        "job.py",
        "--JOB_NAME",
        "orders",
        "--input_path",
        "s3://raw-data/orders/",
        "--output_path=s3://bronze/orders",
        "--extra-py-files",
        "s3://code-bucket/a.py,s3://code-bucket/b.py",
        "--comma-in-key",
        "s3://raw-data/x,y.csv",
        "--day",
        "2024-01-01",
    )
    assert LakePaths(ROOT).rewrite_argv(argv) == (
        "job.py",
        "--JOB_NAME",
        "orders",
        "--input_path",
        "/data/lake/raw-data/orders/",
        "--output_path=/data/lake/bronze/orders",
        "--extra-py-files",
        "/data/lake/code-bucket/a.py,/data/lake/code-bucket/b.py",
        "--comma-in-key",
        "/data/lake/raw-data/x,y.csv",
        "--day",
        "2024-01-01",
    )


def test_argv_errors_name_the_argument() -> None:
    paths = LakePaths(ROOT)
    with pytest.raises(LakePathError, match=r"in argument --input_path: the bucket name"):
        paths.rewrite_argv(["job.py", "--input_path", "s3:///x"])
    with pytest.raises(LakePathError, match=r"in argument --out: bucket name 'UP'"):
        paths.rewrite_argv(["job.py", "--out=s3://UP/x"])
    with pytest.raises(LakePathError, match=r"in argv\[1\]"):
        paths.rewrite_argv(["job.py", "s3://x/y"])


def test_rewrites_argument_mappings() -> None:
    rewritten = LakePaths(ROOT).rewrite_arguments({"--in": "s3://raw-data/a", "--n": "3"})
    assert rewritten == {"--in": "/data/lake/raw-data/a", "--n": "3"}

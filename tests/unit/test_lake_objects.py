"""``stepline.lake.objects``: S3's object semantics over files under a temporary data root."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from stepline.lake.objects import MAX_KEYS, ListPage, LocalObjects, ObjectError
from stepline.lake.paths import LakePaths


@pytest.fixture
def objects(tmp_path: Path) -> LocalObjects:
    store = LocalObjects(LakePaths(tmp_path))
    store.create_bucket("lake")
    return store


def md5(data: bytes) -> str:
    return f'"{hashlib.md5(data).hexdigest()}"'


def keys(page: ListPage) -> list[str]:
    return [info.key for info in page.contents]


def fill(objects: LocalObjects, *names: str) -> None:
    for name in names:
        objects.put("lake", name, name.encode())


def every_page(objects: LocalObjects, **options: object) -> list[ListPage]:
    pages = [objects.list("lake", **options)]  # type: ignore[arg-type]
    while pages[-1].truncated:
        token = pages[-1].next_token
        pages.append(objects.list("lake", token=token, **options))  # type: ignore[arg-type]
    return pages


def error_of(call: object, *args: object, **kwargs: object) -> ObjectError:
    with pytest.raises(ObjectError) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    return caught.value


# ---- listing -------------------------------------------------------------------------------


def test_listing_is_in_utf8_binary_order(objects: LocalObjects) -> None:
    # Code points sort as UTF-8 bytes do: "Z" < "a" < "é" (0xC3) < "中" (0xE4) < "😀" (0xF0);
    # a folder sorts by its children's keys: "a-b" < "a/x" < "a0".
    names = ["😀", "中", "é", "a0", "a/x", "a-b", "Z", "a/b/c", "ab"]
    fill(objects, *names)
    listed = keys(objects.list("lake"))
    assert listed == sorted(names, key=lambda name: name.encode("utf-8"))
    assert listed == ["Z", "a-b", "a/b/c", "a/x", "a0", "ab", "é", "中", "😀"]


def test_prefix_delimiter_and_common_prefixes(objects: LocalObjects) -> None:
    fill(objects, "in/2026/01/a.csv", "in/2026/02/b.csv", "in/top.csv", "out/c.csv", "root.txt")
    page = objects.list("lake", delimiter="/")
    assert keys(page) == ["root.txt"] and page.common_prefixes == ("in/", "out/")
    page = objects.list("lake", prefix="in/", delimiter="/")
    assert keys(page) == ["in/top.csv"] and page.common_prefixes == ("in/2026/",)
    page = objects.list("lake", prefix="in/2026/0", delimiter="/")
    assert keys(page) == [] and page.common_prefixes == ("in/2026/01/", "in/2026/02/")
    page = objects.list("lake", prefix="in/t")
    assert keys(page) == ["in/top.csv"] and not page.truncated
    # A delimiter other than "/" groups too.
    assert objects.list("lake", delimiter=".").common_prefixes == (
        "in/2026/01/a.",
        "in/2026/02/b.",
        "in/top.",
        "out/c.",
        "root.",
    )
    # A prefix no key can have (a ".." part) lists nothing, never outside the bucket.
    assert objects.list("lake", prefix="../lake/") == ListPage((), (), False, None)


def test_max_keys_pages_with_continuation_tokens(objects: LocalObjects) -> None:
    names = [f"k{n:02d}" for n in range(7)]
    fill(objects, *names)
    pages = every_page(objects, max_keys=3)
    assert [keys(page) for page in pages] == [names[:3], names[3:6], names[6:]]
    assert [page.truncated for page in pages] == [True, True, False]
    assert pages[-1].next_token is None
    # Exactly a page's worth: the last page is not truncated (no empty page after it).
    assert [keys(page) for page in every_page(objects, max_keys=7)] == [names]
    assert objects.list("lake", max_keys=0) == ListPage((), (), False, None)
    assert MAX_KEYS == 1000


def test_a_common_prefix_ending_a_page_is_not_listed_again(objects: LocalObjects) -> None:
    fill(objects, "a.txt", "d/1", "d/2", "d/3", "e/1", "z.txt")
    pages = every_page(objects, delimiter="/", max_keys=2)
    assert [(keys(page), page.common_prefixes) for page in pages] == [
        (["a.txt"], ("d/",)),
        (["z.txt"], ("e/",)),
    ]
    pages = every_page(objects, delimiter="/", max_keys=1)
    assert [(keys(page), page.common_prefixes) for page in pages] == [
        (["a.txt"], ()),
        ([], ("d/",)),
        ([], ("e/",)),
        (["z.txt"], ()),
    ]


def test_start_after(objects: LocalObjects) -> None:
    fill(objects, "a", "b/1", "b/2", "c")
    assert keys(objects.list("lake", start_after="a")) == ["b/1", "b/2", "c"]
    assert keys(objects.list("lake", start_after="b/1")) == ["b/2", "c"]
    page = objects.list("lake", start_after="b/1", delimiter="/")
    assert keys(page) == ["c"] and page.common_prefixes == ("b/",)
    assert keys(objects.list("lake", start_after="c")) == []


def test_a_bad_continuation_token_is_refused(objects: LocalObjects) -> None:
    error = error_of(objects.list, "lake", token="not a token")
    assert error.code == "InvalidArgument" and "continuation token" in error.message


def test_listing_skips_hidden_and_staging_files(objects: LocalObjects, tmp_path: Path) -> None:
    fill(objects, "a.csv")
    (tmp_path / "lake" / ".a.csv.123.part").write_bytes(b"half")
    (tmp_path / "lake" / "_SUCCESS").write_bytes(b"")
    assert keys(objects.list("lake")) == ["_SUCCESS", "a.csv"]


# ---- ETags, metadata -----------------------------------------------------------------------


def test_put_answers_the_md5_etag_and_round_trips_type_and_metadata(
    objects: LocalObjects,
) -> None:
    info = objects.put(
        "lake", "in/a.csv", b"id\n1\n", content_type="text/csv", metadata={"Source": "crm"}
    )
    assert info.etag == md5(b"id\n1\n") and info.size == 5
    head = objects.head("lake", "in/a.csv")
    # AWS: user metadata names come back in lower case.
    assert (head.content_type, dict(head.metadata)) == ("text/csv", {"source": "crm"})
    assert head.etag == info.etag and head.last_modified == info.last_modified
    stored = objects.get("lake", "in/a.csv")
    assert stored.body == b"id\n1\n" and stored.info == head
    (listed,) = objects.list("lake").contents
    assert listed == head
    plain = objects.put("lake", "b.bin", b"\x00\x01")
    assert plain.content_type == "binary/octet-stream" and dict(plain.metadata) == {}


def test_files_written_by_other_means_have_the_md5_of_their_content(
    objects: LocalObjects, tmp_path: Path
) -> None:
    target = tmp_path / "lake" / "jobs" / "part-0.csv"
    target.parent.mkdir()
    target.write_bytes(b"written by a job")
    info = objects.head("lake", "jobs/part-0.csv")
    assert info.etag == md5(b"written by a job") and info.size == 16
    assert info.content_type == "binary/octet-stream"
    assert objects.get("lake", "jobs/part-0.csv").body == b"written by a job"


def test_large_foreign_files_get_a_multipart_style_etag(
    objects: LocalObjects, tmp_path: Path
) -> None:
    big = tmp_path / "lake" / "big.bin"
    with open(big, "wb") as handle:
        handle.truncate((16 << 20) + 1)
    etag = objects.head("lake", "big.bin").etag
    assert etag.startswith('"') and etag.endswith('-1"') and len(etag) == 36
    assert objects.head("lake", "big.bin").etag == etag  # stable while the file is


def test_a_file_rewritten_after_put_is_described_afresh(
    objects: LocalObjects, tmp_path: Path
) -> None:
    path = tmp_path / "lake" / "report.csv"
    objects.put("lake", "report.csv", b"v1", content_type="text/csv", metadata={"a": "1"})
    # A writer that replaces the file (a new inode), same size: not the object that was put.
    staged = tmp_path / "lake" / "staged"
    staged.write_bytes(b"v2")
    os.replace(staged, path)
    info = objects.head("lake", "report.csv")
    assert (info.etag, info.content_type, dict(info.metadata)) == (
        md5(b"v2"),
        "binary/octet-stream",
        {},
    )
    # A writer that rewrites it in place (same inode) with another size.
    objects.put("lake", "report.csv", b"v3", content_type="text/csv")
    path.write_bytes(b"v4 longer")
    assert objects.head("lake", "report.csv").etag == md5(b"v4 longer")
    # ... or with the same size and a later modification time.
    objects.put("lake", "report.csv", b"v5", content_type="text/csv")
    stamp = path.stat().st_mtime_ns
    path.write_bytes(b"v6")
    os.utime(path, ns=(stamp + 5_000_000_000, stamp + 5_000_000_000))
    assert objects.get("lake", "report.csv").info.etag == md5(b"v6")


def test_copy_keeps_or_replaces_type_and_metadata(objects: LocalObjects) -> None:
    objects.put("lake", "a.json", b"{}", content_type="application/json", metadata={"k": "v"})
    objects.create_bucket("other")
    copied = objects.copy("lake", "a.json", "other", "b/a.json")
    assert copied.etag == md5(b"{}")
    head = objects.head("other", "b/a.json")
    assert (head.content_type, dict(head.metadata)) == ("application/json", {"k": "v"})
    objects.copy("lake", "a.json", "lake", "a.json", replace=True, content_type="text/plain")
    head = objects.head("lake", "a.json")
    assert (head.content_type, dict(head.metadata)) == ("text/plain", {})
    error = error_of(objects.copy, "lake", "a.json", "lake", "a.json")
    assert error.code == "InvalidRequest" and "copy an object to itself" in error.message
    assert error_of(objects.copy, "lake", "nope", "other", "x").code == "NoSuchKey"


# ---- deletes -------------------------------------------------------------------------------


def test_delete_of_a_missing_key_succeeds(objects: LocalObjects) -> None:
    objects.delete("lake", "never/was.txt")
    assert keys(objects.list("lake")) == []


def test_delete_removes_emptied_folders_and_records(objects: LocalObjects, tmp_path: Path) -> None:
    fill(objects, "a/b/c/one.txt", "a/two.txt")
    objects.delete("lake", "a/b/c/one.txt")
    assert not (tmp_path / "lake" / "a" / "b").exists()
    assert not (tmp_path / ".s3meta" / "lake" / "a" / "b").exists()
    assert keys(objects.list("lake")) == ["a/two.txt"]
    objects.delete("lake", "a/two.txt")
    assert list((tmp_path / "lake").iterdir()) == []  # the bucket stays, empty
    assert error_of(objects.head, "lake", "a/two.txt").code == "NoSuchKey"


# ---- keys the lake refuses, conflicts, missing things --------------------------------------


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("a/../b", "starting with '.'"),
        ("./a", "starting with '.'"),
        ("a/.hidden", "starting with '.'"),
        ("a//b", "empty part"),
        ("/a", "empty part"),
        ("folder/", "folder markers"),
        ("", "non-empty"),
        ("x" * 300, "longer than 255 bytes"),
    ],
)
def test_keys_that_cannot_be_files_are_refused(objects: LocalObjects, key: str, words: str) -> None:
    error = error_of(objects.put, "lake", key, b"x")
    assert error.code == "InvalidArgument" and words in error.message
    assert error_of(objects.head, "lake", key).code == "InvalidArgument"


def test_a_key_over_1024_bytes_is_too_long(objects: LocalObjects) -> None:
    key = "/".join(["é" * 100] * 6)  # 1,205 bytes of UTF-8
    assert error_of(objects.put, "lake", key, b"x").code == "KeyTooLongError"


def test_an_object_and_a_folder_of_the_same_name_conflict(objects: LocalObjects) -> None:
    objects.put("lake", "a", b"file")
    error = error_of(objects.put, "lake", "a/b", b"x")
    assert error.code == "InvalidArgument"
    assert "s3://lake/a is an object in the local lake" in error.message
    objects.put("lake", "d/e/f", b"file")
    error = error_of(objects.put, "lake", "d/e", b"x")
    assert "s3://lake/d/e is a folder of other objects" in error.message
    assert objects.get("lake", "a").body == b"file"
    assert error_of(objects.head, "lake", "d/e").code == "NoSuchKey"  # a folder is no object
    assert error_of(objects.get, "lake", "a/b").code == "NoSuchKey"


def test_missing_and_invalid_buckets(objects: LocalObjects) -> None:
    for call, args in [
        (objects.get, ("nope", "k")),
        (objects.head, ("nope", "k")),
        (objects.put, ("nope", "k", b"")),
        (objects.delete, ("nope", "k")),
        (objects.list, ("nope",)),
    ]:
        error = error_of(call, *args)
        assert error.code == "NoSuchBucket" and "nope" in error.message
    error = error_of(objects.get, "Bad_Bucket", "k")
    assert error.code == "InvalidBucketName" and "Bad_Bucket" in error.message
    assert error_of(objects.list, "a/b").code == "InvalidBucketName"


def test_buckets_are_the_folders_with_bucket_names(objects: LocalObjects, tmp_path: Path) -> None:
    objects.create_bucket("raw-zone")
    (tmp_path / "Not_A_Bucket").mkdir()
    assert [bucket.name for bucket in objects.buckets()] == ["lake", "raw-zone"]
    assert error_of(objects.create_bucket, "lake").code == "BucketAlreadyOwnedByYou"

"""``arn:aws:states:::aws-sdk:s3:<action>``: getObject, putObject, headObject, copyObject,
deleteObject, listObjectsV2, deleteObjects, listBuckets and createBucket over the lake's
objects (:class:`stepline.lake.objects.Objects`; the data root by default).

# AWS: supported-services-awssdk: parameters are the SDK request's members in PascalCase,
the output is the SDK response's members in PascalCase, and errors are named
``S3.<Exception>``. A member the S3 API does not have, one stepline does not implement, a
missing required member or a value of the wrong type fails the task with States.Runtime
naming the state and the member. What the members become here: :mod:`.s3_members`.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from typing import Any, Final

from stepline.asl.dataflow import data_limit_exceeded, to_json_text
from stepline.asl.errors import PAYLOAD_LIMIT_BYTES, RUNTIME, Json
from stepline.integrations.base import Handler, TaskFailure, TaskRequest
from stepline.integrations.s3_members import ACTIONS, Action
from stepline.integrations.stepfunctions import epoch_millis
from stepline.lake.objects import ObjectError, ObjectInfo, Objects

PREFIX: Final = "arn:aws:states:::aws-sdk:s3:"
RESOURCE_TYPE: Final = "aws-sdk:s3"
_SSE: Final = {"ServerSideEncryption": "AES256"}  # AWS: S3 encrypts every new object (SSE-S3)
_KINDS: Final = {"integer": "an integer", "boolean": "true or false", "map": "an object"}
_STATUS: Final = {
    "NoSuchKey": 404,
    "NoSuchBucket": 404,
    "BucketAlreadyOwnedByYou": 409,
}
# AWS: the S3 errors the SDK models as exceptions surface as S3.<Code>Exception (the Java SDK
# v2 exception names); every other S3 error as S3.S3Exception (supported-services-awssdk,
# tutorial-gather-s3-bucket-info: "the HeadBucket API call returns the S3.S3Exception error").
_MODELED: Final = frozenset(
    {
        "NoSuchKey",
        "NoSuchBucket",
        "NoSuchUpload",
        "BucketAlreadyExists",
        "BucketAlreadyOwnedByYou",
        "InvalidObjectState",
        "InvalidRequest",
        "ObjectAlreadyInActiveTierError",
        "ObjectNotInActiveTierError",
    }
)


def error_name(error: ObjectError) -> str:
    """The Step Functions error name of an S3 error."""
    return f"S3.{error.code}Exception" if error.code in _MODELED else "S3.S3Exception"


def failure(error: ObjectError) -> TaskFailure:
    status = _STATUS.get(error.code, 400)
    # AWS: the cause is the SDK exception's message: "<message> (Service: S3, Status Code: ...)".
    return TaskFailure(error_name(error), f"{error.message} (Service: S3, Status Code: {status})")


def _runtime(request: TaskRequest, message: str) -> TaskFailure:
    return TaskFailure(RUNTIME, f"{message} (state '{request.state_name}')")


class S3:
    """The S3 steps over one :class:`Objects` (the lake's data root)."""

    def __init__(self, objects: Objects) -> None:
        self.objects = objects
        self._calls: dict[str, Callable[[TaskRequest, dict[str, Any]], Json]] = {
            "getObject": self._get,
            "headObject": self._head,
            "putObject": self._put,
            "copyObject": self._copy,
            "deleteObject": self._delete,
            "deleteObjects": self._delete_many,
            "listObjectsV2": self._list,
            "listBuckets": self._buckets,
            "createBucket": self._create_bucket,
        }

    def handler_for(self, resource: str) -> Handler | None:
        if not resource.startswith(PREFIX):
            return None
        name = resource[len(PREFIX) :]
        action = ACTIONS.get(name)
        if action is None:
            return lambda request: self._unsupported(request, name)
        call = self._calls[name]
        return lambda request: call(request, _parameters(request, action))

    def _unsupported(self, request: TaskRequest, name: str) -> Json:
        supported = ", ".join(sorted(ACTIONS))
        raise _runtime(
            request, f"stepline does not support '{PREFIX}{name}' (S3 actions here: {supported})"
        )

    # ---- objects -----------------------------------------------------------------------

    def _get(self, request: TaskRequest, params: dict[str, Any]) -> Json:
        bucket, key = params["Bucket"], params["Key"]
        try:
            if self.objects.head(bucket, key).size > PAYLOAD_LIMIT_BYTES:
                # The Body alone is over Step Functions' 256 KiB: the same failure the engine
                # gives any oversized result, without loading the Body first.
                error = data_limit_exceeded(RESOURCE_TYPE)
                raise TaskFailure(error.error, error.cause)
            stored = self.objects.get(bucket, key)
        except ObjectError as exc:
            raise failure(exc) from None
        # AWS: the Body comes back as UTF-8 text (bytes that are not UTF-8 become U+FFFD).
        return {**_described(stored.info), "Body": stored.body.decode("utf-8", "replace")}

    def _head(self, request: TaskRequest, params: dict[str, Any]) -> Json:
        try:
            return _described(self.objects.head(params["Bucket"], params["Key"]))
        except ObjectError as exc:
            if exc.code == "NoSuchBucket":
                # AWS: a HEAD answers 404 without a body, so the SDK cannot tell a missing
                # bucket from a missing key: both are NoSuchKeyException (the Java SDK v2's
                # ExceptionTranslationInterceptor), S3.NoSuchKeyException here.
                exc = ObjectError("NoSuchKey", exc.message)
            raise failure(exc) from None

    def _put(self, request: TaskRequest, params: dict[str, Any]) -> Json:
        body = params.get("Body")
        # AWS: the Body is always written as its JSON text, a string too: "text" is stored
        # with its quotes, {"a":1} as {"a":1} (compact). LocalStack's AWS-validated
        # test_s3_put_object[str|dict|list|bool|num] snapshots: ETag = MD5 of that text.
        data = b"" if "Body" not in params else to_json_text(body).encode("utf-8")
        try:
            info = self.objects.put(
                params["Bucket"],
                params["Key"],
                data,
                content_type=params.get("ContentType"),
                metadata=params.get("Metadata"),
            )
        except ObjectError as exc:
            raise failure(exc) from None
        return {"ETag": info.etag, **_SSE}

    def _copy(self, request: TaskRequest, params: dict[str, Any]) -> Json:
        source_bucket, source_key = _copy_source(request, params["CopySource"])
        directive = params.get("MetadataDirective", "COPY")
        if directive not in ("COPY", "REPLACE"):
            raise _runtime(request, f"MetadataDirective must be COPY or REPLACE, not {directive!r}")
        replace = directive == "REPLACE"
        try:
            info = self.objects.copy(
                source_bucket,
                source_key,
                params["Bucket"],
                params["Key"],
                replace=replace,
                # AWS: ContentType and Metadata apply only with MetadataDirective REPLACE.
                content_type=params.get("ContentType") if replace else None,
                metadata=params.get("Metadata") if replace else None,
            )
        except ObjectError as exc:
            raise failure(exc) from None
        result = {"ETag": info.etag, "LastModified": epoch_millis(info.last_modified)}
        return {"CopyObjectResult": result, **_SSE}

    def _delete(self, request: TaskRequest, params: dict[str, Any]) -> Json:
        try:
            self.objects.delete(params["Bucket"], params["Key"])
        except ObjectError as exc:
            raise failure(exc) from None
        return {}  # AWS: DeleteObject on a bucket without versioning answers no members

    def _delete_many(self, request: TaskRequest, params: dict[str, Any]) -> Json:
        spec = params["Delete"]
        items = spec.get("Objects") if isinstance(spec, dict) else None
        if not isinstance(items, list) or not all(
            isinstance(item, dict) and isinstance(item.get("Key"), str) for item in items
        ):
            raise _runtime(request, 'Delete must be {"Objects": [{"Key": "..."}, ...]}')
        if not 1 <= len(items) <= 1000:
            # AWS: DeleteObjects takes 1 to 1,000 keys; S3 answers MalformedXML otherwise.
            raise failure(ObjectError("MalformedXML", "Delete takes 1 to 1000 objects"))
        deleted: list[dict[str, str]] = []
        errors: list[dict[str, str]] = []
        for item in items:
            try:
                self.objects.delete(params["Bucket"], item["Key"])
                deleted.append({"Key": item["Key"]})
            except ObjectError as exc:
                if exc.code == "NoSuchBucket":
                    raise failure(exc) from None
                errors.append({"Key": item["Key"], "Code": exc.code, "Message": exc.message})
        result: dict[str, Any] = {}
        if deleted and not spec.get("Quiet"):  # AWS: Quiet answers only the errors
            result["Deleted"] = deleted
        if errors:
            result["Errors"] = errors
        return result

    def _list(self, request: TaskRequest, params: dict[str, Any]) -> Json:
        prefix, delimiter = params.get("Prefix", ""), params.get("Delimiter", "")
        max_keys = params.get("MaxKeys", 1000)
        token, start_after = params.get("ContinuationToken"), params.get("StartAfter", "")
        try:
            page = self.objects.list(
                params["Bucket"],
                prefix=prefix,
                delimiter=delimiter,
                max_keys=max_keys,
                token=token,
                start_after=start_after,
            )
        except ObjectError as exc:
            raise failure(exc) from None
        result: dict[str, Any] = {"IsTruncated": page.truncated}
        if page.contents:
            result["Contents"] = [_entry(info) for info in page.contents]
        result["Name"] = params["Bucket"]
        result["Prefix"] = prefix  # AWS: S3 always answers a Prefix ("" when none was given)
        if delimiter:
            result["Delimiter"] = delimiter
        result["MaxKeys"] = max_keys
        if page.common_prefixes:
            result["CommonPrefixes"] = [{"Prefix": common} for common in page.common_prefixes]
        result["KeyCount"] = len(page.contents) + len(page.common_prefixes)
        if token:
            result["ContinuationToken"] = token
        if page.next_token:
            result["NextContinuationToken"] = page.next_token
        if start_after:
            result["StartAfter"] = start_after
        return result

    # ---- buckets -----------------------------------------------------------------------

    def _buckets(self, request: TaskRequest, params: dict[str, Any]) -> Json:
        prefix = params.get("Prefix", "")
        found = [
            {"Name": bucket.name, "CreationDate": epoch_millis(bucket.created)}
            for bucket in self.objects.buckets()
            if bucket.name.startswith(prefix)
        ]
        return {"Buckets": found, **({"Prefix": prefix} if prefix else {})}

    def _create_bucket(self, request: TaskRequest, params: dict[str, Any]) -> Json:
        bucket = params["Bucket"]
        try:
            self.objects.create_bucket(bucket)
        except ObjectError as exc:
            # AWS: re-creating a bucket you own answers 200 OK in us-east-1 (legacy), and
            # BucketAlreadyOwnedByYou in every other Region (CreateBucket API reference).
            if exc.code != "BucketAlreadyOwnedByYou" or request.region != "us-east-1":
                raise failure(exc) from None
        if request.region == "us-east-1":
            return {"Location": f"/{bucket}"}
        return {"Location": f"http://{bucket}.s3.amazonaws.com/"}


def _described(info: ObjectInfo) -> dict[str, Any]:
    """HeadObject's members (GetObject's but the Body), in the order AWS shows them."""
    return {
        "AcceptRanges": "bytes",
        "ContentLength": info.size,
        "ContentType": info.content_type,
        "ETag": info.etag,
        "LastModified": epoch_millis(info.last_modified),
        "Metadata": dict(info.metadata),
        **_SSE,
    }


def _entry(info: ObjectInfo) -> dict[str, Any]:
    return {
        "Key": info.key,
        "LastModified": epoch_millis(info.last_modified),
        "ETag": info.etag,
        "Size": info.size,
        "StorageClass": "STANDARD",
    }


def _copy_source(request: TaskRequest, source: str) -> tuple[str, str]:
    """``bucket/key`` (URL-encoded, optionally with a leading "/") -> (bucket, key)."""
    # AWS: CopySource is "bucket/key" URL-encoded; "?versionId=" picks a version (an encoded
    # "?" in a key is %3F, so a literal "?" starts the query).
    path, _, query = source.partition("?")
    if query:
        raise _runtime(request, f"CopySource {source!r}: versions are not supported here")
    bucket, _, key = urllib.parse.unquote(path.removeprefix("/")).partition("/")
    if not bucket or not key:
        raise _runtime(
            request, f"CopySource must be 'bucket/key' (URL-encoded), not {json.dumps(source)}"
        )
    return bucket, key


def _parameters(request: TaskRequest, action: Action) -> dict[str, Any]:
    """The task's parameters checked against the action's members (States.Runtime else)."""
    params = request.parameters
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise _runtime(request, f"{action.operation} parameters must be a JSON object")
    unknown = sorted(set(params) - action.members)
    if unknown:
        raise _runtime(request, f"The field(s) {unknown} are not {action.operation} parameters")
    unsupported = sorted(set(params) & (action.members - set(action.supported) - action.ignored))
    if unsupported:
        raise _runtime(
            request, f"stepline does not support the {action.operation} field(s) {unsupported}"
        )
    missing = sorted(name for name in action.required if name not in params)
    if missing:
        raise _runtime(request, f"{action.operation} requires the field(s) {missing}")
    checked: dict[str, Any] = {}
    for name, value in params.items():
        if name in action.ignored:
            continue
        kind = action.supported[name]
        checked[name] = _typed(request, action, name, kind, value)
    return checked


def _typed(request: TaskRequest, action: Action, name: str, kind: str, value: Json) -> Any:
    if kind == "string":
        # AWS: a string member given another JSON value receives its JSON text.
        return value if isinstance(value, str) else to_json_text(value)
    if kind == "integer" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind == "boolean" and isinstance(value, bool):
        return value
    if kind == "map" and isinstance(value, dict):
        return {
            str(key): item if isinstance(item, str) else to_json_text(item)
            for key, item in value.items()
        }
    if kind in ("json", "structure"):
        return value
    wanted = _KINDS.get(kind, kind)
    raise _runtime(
        request, f"{action.operation} field '{name}' must be {wanted}, not {to_json_text(value)}"
    )

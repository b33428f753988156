"""The request members of the S3 actions the ``aws-sdk:s3:*`` steps run (botocore's ``s3``
service model, 2006-03-01): every member the API has, the ones stepline implements (with the
JSON type each takes), and the ones accepted without effect on a local lake (expected owners,
request payers, checksums and server-side encryption settings, storage classes and ACLs:
nothing to check or change on files under a data root).

A member the API has but stepline neither implements nor ignores (byte ranges, conditional
requests, versions, tagging, object lock, ...) fails the task rather than being dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Action:
    operation: str  # the S3 API's name, for messages
    members: frozenset[str]
    supported: Mapping[str, str]  # member -> "string" | "integer" | "boolean" | "map" | ...
    ignored: frozenset[str]
    required: tuple[str, ...]


def _action(
    operation: str, members: str, supported: Mapping[str, str], ignored: str, required: str
) -> Action:
    return Action(
        operation,
        frozenset(members.split()),
        supported,
        frozenset(ignored.split()),
        tuple(required.split()),
    )


_READ: Final = (
    "Bucket IfMatch IfModifiedSince IfNoneMatch IfUnmodifiedSince Key Range "
    "ResponseCacheControl ResponseContentDisposition ResponseContentEncoding "
    "ResponseContentLanguage ResponseContentType ResponseExpires VersionId SSECustomerAlgorithm "
    "SSECustomerKey SSECustomerKeyMD5 RequestPayer PartNumber ExpectedBucketOwner ChecksumMode"
)
_OBJECT: Final = {"Bucket": "string", "Key": "string"}

ACTIONS: Final[Mapping[str, Action]] = {
    "getObject": _action(
        "GetObject", _READ, _OBJECT, "RequestPayer ExpectedBucketOwner ChecksumMode", "Bucket Key"
    ),
    "headObject": _action(
        "HeadObject", _READ, _OBJECT, "RequestPayer ExpectedBucketOwner ChecksumMode", "Bucket Key"
    ),
    "putObject": _action(
        "PutObject",
        "ACL Body Bucket CacheControl ContentDisposition ContentEncoding ContentLanguage "
        "ContentLength ContentMD5 ContentType ChecksumAlgorithm ChecksumCRC32 ChecksumCRC32C "
        "ChecksumCRC64NVME ChecksumSHA1 ChecksumSHA256 ChecksumSHA512 ChecksumMD5 "
        "ChecksumXXHASH64 ChecksumXXHASH3 ChecksumXXHASH128 Expires IfMatch IfNoneMatch "
        "GrantFullControl GrantRead GrantReadACP GrantWriteACP Key WriteOffsetBytes Metadata "
        "ServerSideEncryption StorageClass WebsiteRedirectLocation SSECustomerAlgorithm "
        "SSECustomerKey SSECustomerKeyMD5 SSEKMSKeyId SSEKMSEncryptionContext BucketKeyEnabled "
        "RequestPayer Tagging ObjectLockMode ObjectLockRetainUntilDate ObjectLockLegalHoldStatus "
        "ObjectLockEventHold ObjectLockEventHoldDurationDays ObjectLockEventHoldDurationYears "
        "ExpectedBucketOwner",
        {**_OBJECT, "Body": "json", "ContentType": "string", "Metadata": "map"},
        "ACL ContentLength ChecksumAlgorithm ServerSideEncryption StorageClass SSEKMSKeyId "
        "SSEKMSEncryptionContext BucketKeyEnabled RequestPayer ExpectedBucketOwner",
        "Bucket Key",
    ),
    "copyObject": _action(
        "CopyObject",
        "ACL Bucket CacheControl ChecksumAlgorithm ContentDisposition ContentEncoding "
        "ContentLanguage ContentType CopySource CopySourceIfMatch CopySourceIfModifiedSince "
        "CopySourceIfNoneMatch CopySourceIfUnmodifiedSince Expires GrantFullControl GrantRead "
        "GrantReadACP GrantWriteACP IfMatch IfNoneMatch Key Metadata MetadataDirective "
        "TaggingDirective AnnotationDirective ServerSideEncryption StorageClass "
        "WebsiteRedirectLocation SSECustomerAlgorithm SSECustomerKey SSECustomerKeyMD5 "
        "SSEKMSKeyId SSEKMSEncryptionContext BucketKeyEnabled CopySourceSSECustomerAlgorithm "
        "CopySourceSSECustomerKey CopySourceSSECustomerKeyMD5 RequestPayer Tagging "
        "ObjectLockMode ObjectLockRetainUntilDate ObjectLockLegalHoldStatus ObjectLockEventHold "
        "ObjectLockEventHoldDurationDays ObjectLockEventHoldDurationYears ExpectedBucketOwner "
        "ExpectedSourceBucketOwner",
        {
            **_OBJECT,
            "CopySource": "string",
            "MetadataDirective": "string",
            "ContentType": "string",
            "Metadata": "map",
        },
        "ACL ChecksumAlgorithm ServerSideEncryption StorageClass SSEKMSKeyId "
        "SSEKMSEncryptionContext BucketKeyEnabled RequestPayer ExpectedBucketOwner "
        "ExpectedSourceBucketOwner",
        "Bucket CopySource Key",
    ),
    "deleteObject": _action(
        "DeleteObject",
        "Bucket Key MFA VersionId RequestPayer BypassGovernanceRetention ExpectedBucketOwner "
        "IfMatch IfMatchLastModifiedTime IfMatchSize",
        _OBJECT,
        "RequestPayer ExpectedBucketOwner",
        "Bucket Key",
    ),
    "deleteObjects": _action(
        "DeleteObjects",
        "Bucket Delete MFA RequestPayer BypassGovernanceRetention ExpectedBucketOwner "
        "ChecksumAlgorithm",
        {"Bucket": "string", "Delete": "structure"},
        "RequestPayer ExpectedBucketOwner ChecksumAlgorithm",
        "Bucket Delete",
    ),
    "listObjectsV2": _action(
        "ListObjectsV2",
        "Bucket Delimiter EncodingType MaxKeys Prefix ContinuationToken FetchOwner StartAfter "
        "RequestPayer ExpectedBucketOwner OptionalObjectAttributes",
        {
            "Bucket": "string",
            "Delimiter": "string",
            "MaxKeys": "integer",
            "Prefix": "string",
            "ContinuationToken": "string",
            "StartAfter": "string",
        },
        "RequestPayer ExpectedBucketOwner",
        "Bucket",
    ),
    "listBuckets": _action(
        "ListBuckets",
        "MaxBuckets ContinuationToken Prefix BucketRegion",
        {"Prefix": "string"},
        "",
        "",
    ),
    "createBucket": _action(
        "CreateBucket",
        "ACL Bucket CreateBucketConfiguration GrantFullControl GrantRead GrantReadACP GrantWrite "
        "GrantWriteACP ObjectLockEnabledForBucket ObjectOwnership BucketNamespace",
        {"Bucket": "string"},
        "ACL CreateBucketConfiguration ObjectOwnership",
        "Bucket",
    ),
}

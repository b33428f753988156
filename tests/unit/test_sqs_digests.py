"""SQS's MD5 of message attributes, checked against digests other SDKs' implementations
publish (the npm package aws-md5-of-message-attributes's examples)."""

from __future__ import annotations

import base64

from stepline.queues.digests import md5_attributes, md5_text

BINARY = base64.b64encode(b"Hello binary world!").decode()
SIMPLE = {"attribName1": {"DataType": "String", "StringValue": "attribValue 1"}}
NUMBER = {
    "customNumberTypeAttrib": {
        "DataType": "Number.float",
        "StringValue": "4563442423554324324264524243.32543234",
    }
}
BINARY_ATTRIBUTE = {"binaryAttribute": {"DataType": "Binary", "BinaryValue": BINARY}}


def test_known_digests() -> None:
    assert md5_attributes(SIMPLE) == "19e27d4e946b072f3f58da80d94fd778"
    assert md5_attributes(NUMBER) == "9fe1b90bbd9965bdf77bac517c7d2495"
    assert md5_attributes(BINARY_ATTRIBUTE) == "31a92b15d92f8db860eda32aceb656c3"
    every = {**SIMPLE, **NUMBER, **BINARY_ATTRIBUTE}
    assert md5_attributes(every) == "c932db14a896c663f83c260297d594ff"


def test_binary_values_as_bytes_or_base64() -> None:
    raw = {"binaryAttribute": {"DataType": "Binary", "BinaryValue": b"Hello binary world!"}}
    assert md5_attributes(raw) == md5_attributes(BINARY_ATTRIBUTE)


def test_body_digest() -> None:
    assert md5_text("hello") == "5d41402abc4b2a76b9719d911017c592"

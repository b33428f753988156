"""Tags of state machines and activities: TagResource, UntagResource, ListTagsForResource,
and the tags CreateStateMachine and CreateActivity are given.

AWS (API reference, TagResource and Tag): "Tags may only contain Unicode letters, digits,
white space, or these symbols: _ . : / = + - @."; keys 1 to 128 characters, values 0 to
256 (checked with the request's other members); at most 50 tags per resource (Step
Functions quotas), else TooManyTags naming the resource. Resources are a state machine (its
unqualified ARN) or an activity; any other ARN of Step Functions is ResourceNotFound, text
that is no ARN of Step Functions InvalidArn.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Final

from stepline.arns import InvalidArn
from stepline.catalog_checks import ResourceNotFound, ValidationError
from stepline.store import _common as c
from stepline.store.protocol import NotFound, Store, TooManyTags
from stepline.store.records import Tag

MAX_TAGS: Final = 50  # AWS: tags per resource
_SYMBOLS: Final = frozenset("_.:/=+-@")
_PATTERN: Final = r"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$"  # as AWS's messages write it
_TAGGABLE: Final = frozenset({"stateMachine", "activity"})


def check_tags(tags: Sequence[Tag], resource_arn: str) -> None:
    """The characters of each key and value (ValidationError naming the member, in AWS's
    words) and the count of distinct keys (TooManyTags)."""
    for index, tag in enumerate(tags, 1):
        check_text(tag.key, f"tags.{index}.member.key")
        check_text(tag.value, f"tags.{index}.member.value")
    keys = {tag.key for tag in tags}
    if len(keys) > MAX_TAGS:
        raise TooManyTags(c.too_many_tags(resource_arn, len(keys), MAX_TAGS), resource_arn)


def check_text(text: str, member: str) -> None:
    if not all(ch in _SYMBOLS or unicodedata.category(ch)[0] in "LZN" for ch in text):
        raise ValidationError(
            f"1 validation error detected: Value '{text}' at '{member}' failed to satisfy"
            f" constraint: Member must satisfy regular expression pattern: {_PATTERN}"
        )


class Tags:
    def __init__(self, store: Store) -> None:
        self.store = store

    def tag_resource(self, resource_arn: str, tags: Sequence[Tag]) -> None:
        """Add tags, replacing the values of keys the resource has."""
        _taggable(resource_arn)
        check_tags(tags, resource_arn)
        try:
            self.store.tag_resource(resource_arn, tags, MAX_TAGS)
        except NotFound as exc:
            raise ResourceNotFound(str(exc), resource_arn) from None

    def untag_resource(self, resource_arn: str, keys: Sequence[str]) -> None:
        """Remove the tags of these keys; keys the resource has not are ignored."""
        _taggable(resource_arn)
        for index, key in enumerate(keys, 1):
            check_text(key, f"tagKeys.{index}.member")
        try:
            self.store.untag_resource(resource_arn, keys)
        except NotFound as exc:
            raise ResourceNotFound(str(exc), resource_arn) from None

    def list_tags(self, resource_arn: str) -> list[Tag]:
        """By key."""
        _taggable(resource_arn)
        try:
            return self.store.list_tags(resource_arn)
        except NotFound as exc:
            raise ResourceNotFound(str(exc), resource_arn) from None


def _taggable(resource_arn: str) -> None:
    """``arn:<partition>:states:<region>:<account>:<type>:<name>``: InvalidArn unless an ARN
    of Step Functions; ResourceNotFound unless a state machine's (unqualified) or an
    activity's."""
    parts = resource_arn.split(":")
    if len(parts) < 7 or parts[0] != "arn" or parts[2] != "states" or not parts[5]:
        raise InvalidArn(f"Invalid Arn: '{resource_arn}'")
    if len(parts) != 7 or parts[5] not in _TAGGABLE or not parts[6]:
        raise ResourceNotFound(c.no_resource(resource_arn), resource_arn)

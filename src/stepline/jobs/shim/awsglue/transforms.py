"""``awsglue.transforms``: the transform names Glue scripts import with ``*``.

ApplyMapping, SelectFields, DropFields, RenameField and ResolveChoice work (through the
DynamicFrame methods); the others raise a clear error when applied.
"""

from __future__ import annotations

from typing import Any

from .dynamicframe import DynamicFrame

__all__ = [
    "ApplyMapping",
    "DropFields",
    "DropNullFields",
    "ErrorsAsDynamicFrame",
    "Filter",
    "FlatMap",
    "GlueTransform",
    "Join",
    "Map",
    "MapToCollection",
    "Relationalize",
    "RenameField",
    "ResolveChoice",
    "SelectFields",
    "SelectFromCollection",
    "Spigot",
    "SplitFields",
    "SplitRows",
    "Unbox",
    "UnnestFrame",
]


class GlueTransform:
    """Base of the transforms: ``Transform.apply(frame=..., ...)`` or ``Transform()(...)``."""

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        return cls()(*args, **kwargs)

    @classmethod
    def name(cls) -> str:
        return cls.__name__

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f"awsglue.transforms.{type(self).__name__} is not supported by stepline's "
            "awsglue; use frame.toDF() and the DataFrame API"
        )


class ApplyMapping(GlueTransform):
    def __call__(self, frame: DynamicFrame, mappings: Any, **kwargs: Any) -> Any:
        return frame.apply_mapping(mappings)


class SelectFields(GlueTransform):
    def __call__(self, frame: DynamicFrame, paths: Any, **kwargs: Any) -> Any:
        return frame.select_fields(paths)


class DropFields(GlueTransform):
    def __call__(self, frame: DynamicFrame, paths: Any, **kwargs: Any) -> Any:
        return frame.drop_fields(paths)


class RenameField(GlueTransform):
    def __call__(self, frame: DynamicFrame, old_name: str, new_name: str, **kwargs: Any) -> Any:
        return frame.rename_field(old_name, new_name)


class ResolveChoice(GlueTransform):
    def __call__(self, frame: DynamicFrame, specs: Any = None, choice: str = "", **kw: Any) -> Any:
        return frame.resolveChoice(specs, choice)


class DropNullFields(GlueTransform):
    pass


class ErrorsAsDynamicFrame(GlueTransform):
    pass


class Filter(GlueTransform):
    pass


class FlatMap(GlueTransform):
    pass


class Join(GlueTransform):
    pass


class Map(GlueTransform):
    pass


class MapToCollection(GlueTransform):
    pass


class Relationalize(GlueTransform):
    pass


class SelectFromCollection(GlueTransform):
    pass


class Spigot(GlueTransform):
    pass


class SplitFields(GlueTransform):
    pass


class SplitRows(GlueTransform):
    pass


class Unbox(GlueTransform):
    pass


class UnnestFrame(GlueTransform):
    pass

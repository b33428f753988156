"""A Distributed Map's reads and writes in the lake: the shell's side of the engine's
``READ_ITEMS`` and ``WRITE_RESULTS`` commands (``engine.map_io``).

They travel as task invocations with internal resource names, so they get what a task
gets: a work item under a lease (a worker killed while reading loses nothing; the read
runs again), the in-process runner's thread pool. They are no Task states: the engine
records no Task events for them. Failures surface as ``States.ItemReaderFailed`` and
``States.ResultWriterFailed``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from stepline.asl import errors
from stepline.asl.errors import Json
from stepline.engine.map_io import READ_ITEMS, WRITE_RESULTS
from stepline.integrations.base import Handler, TaskFailure, TaskRequest
from stepline.lake.item_reader import ItemReaderError, read_items
from stepline.lake.objects import LocalObjects, Objects
from stepline.lake.paths import LakePaths
from stepline.lake.result_writer import ResultWriterError, write_results


class MapStorage:
    """The integration; ``objects`` gives the lake's objects (looked up at each call)."""

    def __init__(self, objects: Callable[[], Objects]) -> None:
        self._objects = objects

    @classmethod
    def over(cls, data_root: Callable[[], Path]) -> MapStorage:
        """Over the data root ``data_root()`` names (``s3://B/K`` is ``<root>/B/K``)."""
        return cls(lambda: LocalObjects(LakePaths(data_root())))

    def handler_for(self, resource: str) -> Handler | None:
        if resource == READ_ITEMS:
            return self._read
        if resource == WRITE_RESULTS:
            return self._write
        return None

    def _read(self, request: TaskRequest) -> Json:
        try:
            return read_items(self._objects(), _mapping(request.parameters))
        except ItemReaderError as exc:
            raise TaskFailure(errors.ITEM_READER_FAILED, str(exc)) from None

    def _write(self, request: TaskRequest) -> Json:
        try:
            return write_results(self._objects(), _mapping(request.parameters))
        except ResultWriterError as exc:
            raise TaskFailure(errors.RESULT_WRITER_FAILED, str(exc)) from None


def _mapping(parameters: Json) -> dict[str, Json]:
    return parameters if isinstance(parameters, dict) else {}

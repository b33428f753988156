"""The seams for what other parts of stepline deploy: SNS-style topics, quality rules and
profiles, pipelines (the partition ledger). ``plan`` reads what each has now, ``deploy`` hands
it what the project declares; without an applier those resources are planned and shown as
"not applied"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from stepline.project.specs import PipelineSpec, QualityProfileSpec, QualitySpec, TopicSpec


class TopicsApplier(Protocol):
    def current_topic(self, name: str) -> TopicSpec | None:
        """The topic and its subscriptions as deployed (None: no such topic)."""
        ...

    def apply_topic(self, spec: TopicSpec) -> None:
        """Create the topic or make it so (subscriptions added and removed)."""
        ...


class QualityApplier(Protocol):
    def current_quality(self, name: str) -> QualitySpec | None: ...

    def apply_quality(self, spec: QualitySpec) -> None: ...

    def current_profile(self, name: str) -> QualityProfileSpec | None: ...

    def apply_profile(self, spec: QualityProfileSpec) -> None: ...


class PipelinesApplier(Protocol):
    def current_pipeline(self, name: str) -> PipelineSpec | None: ...

    def apply_pipeline(self, spec: PipelineSpec) -> None: ...


@dataclass(frozen=True)
class Appliers:
    """The appliers a deployment has (None: that kind is planned, not applied)."""

    topics: TopicsApplier | None = None
    quality: QualityApplier | None = None
    pipelines: PipelinesApplier | None = None

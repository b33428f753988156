"""A project's ``[pipelines.<name>]`` deployed into the partition ledger's registry (the
``PipelinesApplier`` of :mod:`stepline.project.appliers`)."""

from __future__ import annotations

from stepline.arns import machine_ref
from stepline.pipelines.service import Pipelines
from stepline.project.specs import PipelineSpec


class LedgerPipelines:
    def __init__(self, pipelines: Pipelines) -> None:
        self.pipelines = pipelines

    def current_pipeline(self, name: str) -> PipelineSpec | None:
        record = self.pipelines.store.get_pipeline(name)
        if record is None:
            return None
        ref = machine_ref(record.state_machine_arn, lambda name: name)
        return PipelineSpec(
            name=record.name,
            dataset=record.dataset,
            state_machine=ref.name,
            partition=record.partition_path,
            replay_queue=record.replay_queue,
            quality=record.quality,
            alias=ref.alias,
            input=record.input_template,
        )

    def apply_pipeline(self, spec: PipelineSpec) -> None:
        machine = f"{spec.state_machine}:{spec.alias}" if spec.alias else spec.state_machine
        self.pipelines.register(
            spec.name,
            spec.dataset,
            machine,
            spec.partition,
            input_template=spec.input,
            replay_queue=spec.replay_queue,
            quality=spec.quality,
        )

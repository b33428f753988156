"""stepline: run AWS Step Functions (ASL) state machines anywhere, in Python, without AWS."""

from stepline.asl.diagnostics import Diagnostic
from stepline.asl.errors import DefinitionError, StatesError
from stepline.inprocess import ExecutionResult, run, validate

__all__ = ["DefinitionError", "Diagnostic", "ExecutionResult", "StatesError", "run", "validate"]

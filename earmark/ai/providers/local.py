"""Earmark's own analyzer as a provider: the task's local function, offline, free, always last in line."""

from __future__ import annotations

from importlib.metadata import version

from earmark.ai.providers.base import Completion, Task

NAME = "local"


def local_model() -> str:
    """The release whose local analyzers answered, so an answer's provenance says which code produced it."""
    return f"earmark-local-{version('earmark')}"


class LocalProvider:
    name = NAME

    def __init__(self) -> None:
        self.model = local_model()

    def __repr__(self) -> str:
        return f"LocalProvider(model={self.model!r})"

    def complete(self, task: Task, text: str) -> Completion:
        # Validated like any provider's answer: a local analyzer that drifts from its schema is a bug to
        # hear about here, not in the code that reads the answer.
        return Completion(task.conforming(NAME, task.local(text)))  # no tokens: it bills none

"""A cited question-answering assistant: short answers in the sources' words, with citations.

Importing this package is cheap: no model, torch, faiss or gradio is loaded until first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assistant.errors import AssistantError, CorpusError, IndexStateError, InvalidQuestion, ModelError
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.answer import Answer, Citation
    from assistant.engine import Assistant
    from assistant.retrieval import Hit

__all__ = [
    "Answer",
    "Assistant",
    "AssistantError",
    "Citation",
    "CorpusError",
    "Hit",
    "IndexStateError",
    "InvalidQuestion",
    "ModelError",
    "Settings",
    "ask",
]
__version__ = "0.1.0"

_LAZY = {
    "Answer": "assistant.answer",
    "Citation": "assistant.answer",
    "Assistant": "assistant.engine",
    "Hit": "assistant.retrieval",
}


def ask(question: Any, history: list[Any] | None = None, **kwargs: Any) -> Answer:
    """Answer a question about the default corpus (the engine is created on first use)."""
    from assistant.engine import ask as _ask

    return _ask(question, history, **kwargs)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")

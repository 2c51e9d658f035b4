"""The exceptions a user can act on."""


class AssistantError(Exception):
    """Base class of the assistant's own errors."""


class CorpusError(AssistantError, ValueError):
    """The corpus or its facts file is malformed; the message says where and what."""


class IndexStateError(AssistantError):
    """The index is missing, stale or damaged and could not be rebuilt."""


class ModelError(AssistantError):
    """The embedding model is missing or its weights do not match the expected checksum."""


class InvalidQuestion(AssistantError, ValueError):
    """The question or history cannot be answered as given (empty, too long, not text)."""

"""A local question-answering assistant that cites the exact passages it used.

    >>> from assistant import Assistant, Settings
    >>> Settings().top_k
    4

Library first: `Assistant(settings).ask(question)` returns an `Answer` whose `citations` each
resolve to a source and a span whose text is exactly the quote. The CLI (`assistant ...`), the web
chat (`assistant.web`) and the eval (`assistant.evaluation`) all call that one method.
"""

from .answer import Assistant
from .config import Settings
from .errors import (
    AssistantError,
    BadDocument,
    BadQuestion,
    BadSetting,
    IndexDamaged,
    IndexMismatch,
    IndexMissing,
    IndexUnwritable,
    MissingDependency,
    ModelMissing,
    ModelUnavailable,
    StoreUnavailable,
)
from .types import Answer, Checks, Citation, Evidence, Passage, Timings

__all__ = [
    "Assistant",
    "Answer",
    "Checks",
    "Citation",
    "Evidence",
    "Passage",
    "Settings",
    "Timings",
    "AssistantError",
    "BadDocument",
    "BadQuestion",
    "BadSetting",
    "IndexDamaged",
    "IndexMismatch",
    "IndexMissing",
    "IndexUnwritable",
    "MissingDependency",
    "ModelMissing",
    "ModelUnavailable",
    "StoreUnavailable",
]

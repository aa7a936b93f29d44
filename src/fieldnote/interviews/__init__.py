"""Interviews: guides, question linting, moderators, transcript formats, redaction.

The public types (``Interview``, ``Utterance``, ``Speaker``, ``Role``, ``Mark``) are the
contract other packages build on; everything else is reached through this package too.
"""

from fieldnote.interviews._model import Interview, Mark, MarkKind, Role, Speaker, Utterance

__all__ = ["Interview", "Mark", "MarkKind", "Role", "Speaker", "Utterance"]

"""Interview guides: templates with time-budgeted sections, a question library,
drafting from a Question and Segment, Markdown and PDF export."""

from fieldnote.interviews.guides._draft import draft_guide, step_phrase
from fieldnote.interviews.guides._export import EXPORT_FORMATS
from fieldnote.interviews.guides._library import LIBRARY, LibraryQuestion, library_question
from fieldnote.interviews.guides._markdown import to_markdown
from fieldnote.interviews.guides._model import Guide, GuideError, GuideQuestion, Section
from fieldnote.interviews.guides._pdf import to_pdf
from fieldnote.interviews.guides._templates import DEFAULT_SHARES, TEMPLATES, new_guide

__all__ = [
    "DEFAULT_SHARES",
    "EXPORT_FORMATS",
    "LIBRARY",
    "TEMPLATES",
    "Guide",
    "GuideError",
    "GuideQuestion",
    "LibraryQuestion",
    "Section",
    "draft_guide",
    "library_question",
    "new_guide",
    "step_phrase",
    "to_markdown",
    "to_pdf",
]

"""The research repository: transactional, small, full of personal data.

SQLAlchemy 2 models with Alembic migrations; SQLite by default, PostgreSQL by URL.
"""

from fieldnote.repository._accounts import (
    MIN_PASSWORD_LENGTH,
    AccountError,
    Accounts,
    MemberInfo,
    UserInfo,
    normalize_email,
)
from fieldnote.repository._audit import AuditLog, AuditRecord
from fieldnote.repository._chat_sessions import (
    ChatSession,
    ChatSessionConflict,
    ChatSessionError,
    ChatSessions,
)
from fieldnote.repository._db import Repository, RepositoryNotMigratedError
from fieldnote.repository._guides import GuideStore, GuideVersion
from fieldnote.repository._hypotheses import (
    EVIDENCE_KINDS,
    HYPOTHESIS_STATUSES,
    EvidenceLink,
    HypothesisError,
    HypothesisNotFoundError,
    HypothesisRecord,
    HypothesisStore,
    StatusChange,
)
from fieldnote.repository._interviews import InterviewError, InterviewStore, SavedInterview
from fieldnote.repository._models import Base, Project
from fieldnote.repository._monitors import MonitorError, MonitorRecord, MonitorStore, SignalRecord
from fieldnote.repository._permissions import ROLE_PERMISSIONS, Permission, Role, UserAccess, can
from fieldnote.repository._projects import (
    DEFAULT_PROJECT,
    ProjectCredentials,
    ProjectError,
    ProjectInfo,
    Projects,
)
from fieldnote.repository._qdpx_book import QdpxImport, import_qdpx
from fieldnote.repository._releases import ReleaseError, ReleaseRecord, ReleaseStore
from fieldnote.repository._research import (
    QuestionRecord,
    ResearchError,
    ResearchStore,
    StudyRecord,
)
from fieldnote.repository._search import (
    SEARCH_KINDS,
    SearchError,
    SearchFilters,
    SearchHit,
    SearchStore,
)
from fieldnote.repository._segments import SavedSegments, SegmentError, SegmentRecord
from fieldnote.repository._sessions import NewSession, SessionInfo, Sessions
from fieldnote.repository._themebook import BookNote, BookTheme, ThemeBook, ThemeBookError
from fieldnote.repository._themebook_people import BookPeople, book_names, book_trend
from fieldnote.repository._tokens import CreatedToken, TokenInfo, Tokens

__all__ = [
    "DEFAULT_PROJECT",
    "EVIDENCE_KINDS",
    "HYPOTHESIS_STATUSES",
    "MIN_PASSWORD_LENGTH",
    "ROLE_PERMISSIONS",
    "SEARCH_KINDS",
    "AccountError",
    "Accounts",
    "AuditLog",
    "AuditRecord",
    "Base",
    "BookNote",
    "BookPeople",
    "BookTheme",
    "ChatSession",
    "ChatSessionConflict",
    "ChatSessionError",
    "ChatSessions",
    "CreatedToken",
    "EvidenceLink",
    "GuideStore",
    "GuideVersion",
    "HypothesisError",
    "HypothesisNotFoundError",
    "HypothesisRecord",
    "HypothesisStore",
    "InterviewError",
    "InterviewStore",
    "MemberInfo",
    "MonitorError",
    "MonitorRecord",
    "MonitorStore",
    "NewSession",
    "Permission",
    "Project",
    "ProjectCredentials",
    "ProjectError",
    "ProjectInfo",
    "Projects",
    "QdpxImport",
    "QuestionRecord",
    "ReleaseError",
    "ReleaseRecord",
    "ReleaseStore",
    "Repository",
    "RepositoryNotMigratedError",
    "ResearchError",
    "ResearchStore",
    "Role",
    "SavedInterview",
    "SavedSegments",
    "SearchError",
    "SearchFilters",
    "SearchHit",
    "SearchStore",
    "SegmentError",
    "SegmentRecord",
    "SessionInfo",
    "Sessions",
    "SignalRecord",
    "StatusChange",
    "StudyRecord",
    "ThemeBook",
    "ThemeBookError",
    "TokenInfo",
    "Tokens",
    "UserAccess",
    "UserInfo",
    "book_names",
    "book_trend",
    "can",
    "import_qdpx",
    "normalize_email",
]

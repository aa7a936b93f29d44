"""Diary studies: prompts sent by email on a schedule over days, entries written on a
link and stored as the utterances of one transcript per participant (docs/interviews.md,
"Diary studies"). Storage is ``fieldnote.repository`` (``DiaryStore``); this package
is the definition, the sending step and the transcript shape."""

from fieldnote.interviews.diaries._definition import (
    SCHEDULES,
    DailySchedule,
    DiaryDefinition,
    DiaryError,
    Occurrence,
    OffsetSchedule,
    Schedule,
    check_prompts,
    zone,
)
from fieldnote.interviews.diaries._send import (
    MAX_SEND_ATTEMPTS,
    DuePrompt,
    Mailer,
    MailResult,
    PromptMail,
    PromptOutbox,
    RunReport,
    SmtpMailer,
    entry_link,
    mailer_from,
    prompt_email,
    send_due,
    token_hash,
)
from fieldnote.interviews.diaries._transcript import (
    DIARY_SPEAKER,
    diary_interview_id,
    diary_speakers,
    entry_utterances,
)

__all__ = [
    "DIARY_SPEAKER",
    "MAX_SEND_ATTEMPTS",
    "SCHEDULES",
    "DailySchedule",
    "DiaryDefinition",
    "DiaryError",
    "DuePrompt",
    "MailResult",
    "Mailer",
    "Occurrence",
    "OffsetSchedule",
    "PromptMail",
    "PromptOutbox",
    "RunReport",
    "Schedule",
    "SmtpMailer",
    "check_prompts",
    "diary_interview_id",
    "diary_speakers",
    "entry_link",
    "entry_utterances",
    "mailer_from",
    "prompt_email",
    "send_due",
    "token_hash",
    "zone",
]

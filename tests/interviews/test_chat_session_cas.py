"""Two simultaneous writes to one interview session: exactly one is taken (SQLite and
PostgreSQL), because ``ChatSessions.update(expected=)`` is a compare-and-swap."""

from __future__ import annotations

import threading

import pytest

from fieldnote.repository import ChatSessionConflict, ChatSessions, Projects, Repository


@pytest.fixture
def sessions(repository: Repository) -> ChatSessions:
    repository.upgrade()
    Projects(repository).create("acme")
    return ChatSessions(repository)


def test_a_stale_version_is_refused(sessions: ChatSessions) -> None:
    token = sessions.create("acme", {"turns": []}, participant=None)
    read = sessions.get(token)
    sessions.update(token, status="consented", state={"turns": ["a"]}, expected=read.version)
    with pytest.raises(ChatSessionConflict, match="changed meanwhile"):
        sessions.update(token, status="consented", state={"turns": ["b"]}, expected=read.version)
    after = sessions.get(token)
    assert after.state == {"turns": ["a"]} and after.version != read.version
    assert after.consented_at is not None
    # Without ``expected`` the write is unconditional (staff tools, migrations).
    sessions.update(token, status="completed", state={"turns": ["c"]}, interview_id="i1")
    assert (sessions.get(token).status, sessions.get(token).interview_id) == ("completed", "i1")


def test_racing_threads_one_winner(sessions: ChatSessions) -> None:
    token = sessions.create("acme", {"turns": []}, participant=None)
    read = sessions.get(token)
    barrier = threading.Barrier(8)
    won: list[int] = []
    lost: list[int] = []

    def write(i: int) -> None:
        barrier.wait()
        try:
            sessions.update(token, status="consented", state={"turns": [i]}, expected=read.version)
            won.append(i)
        except ChatSessionConflict:
            lost.append(i)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1 and len(lost) == 7
    assert sessions.get(token).state == {"turns": [won[0]]}

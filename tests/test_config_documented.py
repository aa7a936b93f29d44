"""Every setting is documented in docs/config.md (a setting nobody can find is a bug)."""

from __future__ import annotations

from pathlib import Path

from fieldnote.config import Settings

DOC = Path(__file__).resolve().parent.parent / "docs" / "config.md"


def test_every_setting_is_documented() -> None:
    text = DOC.read_text()
    missing = [
        f"FIELDNOTE_{name.upper()}"
        for name in Settings.model_fields
        if f"FIELDNOTE_{name.upper()}" not in text
    ]
    assert not missing, f"undocumented settings in docs/config.md: {missing}"

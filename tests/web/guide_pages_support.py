"""A home with a guide and two users for the guide editor tests, and a reader of the
editor form's fields (what a browser would submit)."""

from __future__ import annotations

import html
import re
from pathlib import Path

from fieldnote._core import Fieldnote
from fieldnote.config import Settings
from tests.conftest import run_cli
from tests.web.accounts_support import add_user

_INPUT = re.compile(r'<input\b[^>]*?\bname="([^"]+)"[^>]*?\bvalue="([^"]*)"')
_TEXTAREA = re.compile(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', re.S)


def guide_home(home: Path) -> Path:
    fn = Fieldnote(Settings(home=home))
    fn.projects.ensure_default()
    fn.close()
    add_user(home, "res@example.org", "researcher", project="default")
    add_user(home, "view@example.org", "viewer", project="default")
    run_cli(home, "guides", "new", "Onboarding", "--minutes", "30")
    return home


def form_fields(page: str) -> dict[str, str]:
    """The editor form's named inputs and textareas with their current values."""
    fields = {name: html.unescape(value) for name, value in _INPUT.findall(page)}
    fields.update({name: html.unescape(value) for name, value in _TEXTAREA.findall(page)})
    return fields

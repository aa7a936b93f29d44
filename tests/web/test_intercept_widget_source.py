"""The widget's source: small, dependency-free, nothing a strict CSP would block."""

from __future__ import annotations

import re
from importlib.resources import files

SOURCE = (files("fieldnote.web") / "static" / "intercept.js").read_text()


def test_small_and_dependency_free() -> None:
    assert len(SOURCE.encode()) < 15 * 1024  # unminified, so minified is smaller still
    assert "import " not in SOURCE and "require(" not in SOURCE
    assert not re.search(r"https?://(?!FIELDNOTE)", SOURCE.split("*/", 1)[1])  # no CDN


def test_nothing_a_strict_csp_blocks_and_one_global() -> None:
    body = SOURCE.split("*/", 1)[1]
    for forbidden in ("eval(", "new Function", "innerHTML", '"style"', 'createElement("style'):
        assert forbidden not in body, forbidden
    assert "adoptedStyleSheets" in body
    assert re.findall(r"window\.(\w+)\s*=", body) == ["FieldnoteIntercept"]

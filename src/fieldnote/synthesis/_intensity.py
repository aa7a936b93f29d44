"""How strongly a note was felt, for ranking themes by participants x intensity.

A lexicon scores product complaints poorly: "It said I need admin permission" and "so
I gave up on the phone" are neutral to VADER (compound 0.0), yet they report a task
the person could not finish. Intensity is therefore the larger of |VADER compound| and
a floor from the severity of what the note reports, on Nielsen's usability severity
scale (0-4) divided by 4:

* a *blocker* -- the person could not complete the task (``BLOCKER``: can't, couldn't,
  gave up, stuck, blocked, no way to, needs an admin, no permission...) is a major
  problem, 3/4 = 0.75;
* any other pain point, workaround or unmet need is a minor problem, 2/4 = 0.5.

Blocker cues are phrases about not being able to proceed, not about any one product,
so they hold for tickets and survey answers as much as for interviews.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = ["BLOCKER", "BLOCKER_FLOOR", "FELT_FLOOR", "FELT_KINDS", "felt", "is_blocker"]

FELT_KINDS = frozenset({"pain point", "workaround", "unmet need"})
FELT_FLOOR = 0.5
BLOCKER_FLOOR = 0.75

BLOCKER = re.compile(
    r"\b(?:"
    r"can(?:'|no)?t|could(?:n'?t| not)|unable to|not able to|wasn'?t able to|"
    r"gave up|give up|giving up|stuck|blocked|blocker|"
    r"no way to|not allowed|permission denied|access denied|"
    r"(?:need|needs|needed|requires?|required|wanted|asked for) (?:an? )?(?:\w+ )?"
    r"(?:admin|administrator)|"
    r"only (?:an? )?(?:\w+ )?(?:admin|administrator)|"
    r"(?:someone|somebody) with (?:admin|the rights|permission)|"
    r"(?:don'?t|doesn'?t|didn'?t|do not|does not|did not) have (?:the )?"
    r"(?:admin|permission|access|rights)|(?:isn'?t|is not|wasn'?t) allowed|"
    r"wait(?:ed|ing)? (?:for|on) .{0,40}(?:approv|permission|access)|"
    r"stopped me|(?:wouldn|won|didn)'?t let me|abandon|didn'?t know what to do"
    r")",
    re.IGNORECASE,
)


def is_blocker(text: str) -> bool:
    return bool(BLOCKER.search(text))


def felt(
    texts: Sequence[str], compound: NDArray[np.float64], kinds: Sequence[str]
) -> NDArray[np.float64]:
    """Per note: max(|compound|, severity floor) -- see the module docstring."""
    floors = np.array(
        [
            BLOCKER_FLOOR if is_blocker(t) else FELT_FLOOR if k in FELT_KINDS else 0.0
            for t, k in zip(texts, kinds, strict=True)
        ],
        dtype=np.float64,
    )
    return np.maximum(np.abs(compound), floors)

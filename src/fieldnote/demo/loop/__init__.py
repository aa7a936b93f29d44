"""The whole discovery loop on the demo's planted problem (``fieldnote demo``).

Imported on its own (``fieldnote.demo.loop``), not from ``fieldnote.demo``: it uses
monitors, research, interviews, synthesis and evidence, which themselves build on the
demo's scenario.
"""

from fieldnote.demo.loop._run import BOOK, LoopResult, run_demo_loop

__all__ = ["BOOK", "LoopResult", "run_demo_loop"]

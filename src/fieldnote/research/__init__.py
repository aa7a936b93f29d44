"""Research: questions opened from signals, and the studies that answer them.

Domain code: never imports the web or CLI layers (import-linter checks).
"""

__all__: list[str] = []

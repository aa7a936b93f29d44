"""Capture endpoints (PostHog and Segment compatible)."""

from __future__ import annotations

from fastapi import APIRouter

__all__ = ["router"]

router = APIRouter(tags=["capture"])

"""The analytics pages as one router: funnels (builder, results, "who are these
users"), trends, retention, explain a change and saved segments. docs/web.md lists them."""

from __future__ import annotations

from fastapi import APIRouter

from fieldnote.web.pages._explain_page import router as explain_router
from fieldnote.web.pages._funnel_page import router as funnel_router
from fieldnote.web.pages._report_pages import router as report_router
from fieldnote.web.pages._segment_links import router as segment_links_router
from fieldnote.web.pages._segment_pages import router as segment_router

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
router.include_router(funnel_router)
router.include_router(report_router)
router.include_router(segment_links_router)
router.include_router(segment_router)
router.include_router(explain_router)

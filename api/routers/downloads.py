"""Downloads, listeners and delivered ads counted from request logs by the IAB v2.2 rules (IAB_COUNTING.md),
and what was excluded: read from schema `downloads`, which counting writes.

The rows are those of `earmark downloads export` (the same statements, earmark/downloads/sql/report_*.sql).
Each report is under one window mode: the one asked for, else the tenant's download_window setting; the
answer names it. Row-level security keeps every statement to the key's tenant.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import ReadAttribution
from api.problems import ERROR_RESPONSES
from api.session import TenantSession
from api.types import IsoDate
from earmark.downloads.reasons import MODES, REASONS
from earmark.downloads.reports import params, statement

router = APIRouter(prefix="/downloads", tags=["downloads"],
                   responses={k: ERROR_RESPONSES[k] for k in (401, 403, 422, 429, 503)})

Mode = Literal[MODES]
Reason = Literal[REASONS]
ModeQuery = Annotated[Mode | None, Query(
    description="Window mode: fixed (UTC day) or rolling (24 h from the qualifying request); the tenant's "
                "download_window (settings) when left out.", examples=["fixed"])]
# An end before the start is an empty window (empty rows), as on the attribution and economics routes.
StartQuery = Annotated[IsoDate | None, Query(description="First UTC day (inclusive), YYYY-MM-DD.",
                                             examples=["2026-11-01"])]
EndQuery = Annotated[IsoDate | None, Query(
    description="Last UTC day (inclusive), YYYY-MM-DD; before start, the window is empty.",
    examples=["2026-11-30"])]
CountedAt = Annotated[dt.datetime | None, Field(
    description="When the latest of the days asked was counted; null when none of them was counted yet.")]
Listeners = Annotated[int, Field(description="Distinct listeners (IP key, user agent) with at least one of "
                                             "these downloads.")]


class EpisodeDownloads(BaseModel):
    episode_id: str
    date: dt.date = Field(description="The UTC date the downloads qualified on.")
    downloads: int
    listeners: Listeners


class ShowDownloads(BaseModel):
    show_id: str = Field(description="The catalog's show of the episode; '(unknown)' for an episode the "
                                     "catalog no longer holds.")
    date: dt.date = Field(description="The UTC date the downloads qualified on.")
    downloads: int
    listeners: Annotated[int, Field(description="Distinct listeners (IP key, user agent) with at least one "
                                                "download of the show's episodes that day.")]


class AdDeliveries(BaseModel):
    ad_id: str
    date: dt.date = Field(description="The date of the downloads that delivered the ad.")
    impressions: int = Field(description="Downloads that delivered the ad (at most one each).")


class Exclusion(BaseModel):
    date: dt.date = Field(description="The UTC date of the requests.")
    reason: Reason
    requests: int
    share: float = Field(description="requests / all requests that day, counted ones included.")


class Window(BaseModel):
    mode: Mode
    start: dt.date | None
    end: dt.date | None
    counted_at: CountedAt


class EpisodeReport(Window):
    rows: list[EpisodeDownloads]


class ShowReport(Window):
    rows: list[ShowDownloads]


class AdReport(Window):
    rows: list[AdDeliveries]


class ExclusionReport(Window):
    rows: list[Exclusion]


async def _report(session: TenantSession, what: str, mode: str | None, start: dt.date | None,
                  end: dt.date | None) -> dict:
    """The report's rows and its window (mode, counted_at) from one snapshot, in one message."""
    rows, context = await session.results((statement(what), statement("context")), params(mode, start, end))
    return {"mode": context[0]["mode"], "start": start, "end": end, "counted_at": context[0]["counted_at"],
            "rows": rows}


@router.get("/episodes", response_model=EpisodeReport)
async def episodes(session: ReadAttribution, mode: ModeQuery = None, start: StartQuery = None,
                   end: EndQuery = None) -> EpisodeReport:
    """Downloads and listeners per episode and UTC date over the days asked (all by default)."""
    return EpisodeReport(**await _report(session, "episodes", mode, start, end))


@router.get("/shows", response_model=ShowReport)
async def shows(session: ReadAttribution, mode: ModeQuery = None, start: StartQuery = None,
                end: EndQuery = None) -> ShowReport:
    """Downloads and listeners per show and UTC date; a listener of two of a show's episodes counts once."""
    return ShowReport(**await _report(session, "shows", mode, start, end))


@router.get("/ads", response_model=AdReport)
async def ads(session: ReadAttribution, mode: ModeQuery = None, start: StartQuery = None,
              end: EndQuery = None) -> AdReport:
    """Delivered ads (impressions) per ad and date: an ad is delivered by a download that fetched all of it
    (a dynamically inserted ad) or all of the quarters of the file holding it (a baked-in one)."""
    return AdReport(**await _report(session, "ads", mode, start, end))


@router.get("/exclusions", response_model=ExclusionReport)
async def exclusions(session: ReadAttribution, mode: ModeQuery = None, start: StartQuery = None,
                     end: EndQuery = None) -> ExclusionReport:
    """Requests excluded per UTC date and reason, with their share of all that day's requests (counted ones
    have no row but are in the denominator)."""
    return ExclusionReport(**await _report(session, "exclusions", mode, start, end))

"""What Earmark read in a tenant's episode transcripts: the ad reads it detected, and each episode's analysis
(sentiment, keywords, brands and people named, topics). Read from schema `ai`, which the pipeline writes;
row-level security keeps every statement to the key's tenant.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from api import cursors
from api.database import query
from api.deps import ReadAttribution, ServicesDep
from api.problems import ERROR_RESPONSES, not_found
from api.types import text

router = APIRouter(prefix="/ai", tags=["ai"],
                   responses={k: ERROR_RESPONSES[k] for k in (401, 403, 422, 429, 503)})

# The values the tables' check constraints allow (earmark/migrations/0021_ai_transcripts.sql).
Kind = Literal["host_read", "produced", "dynamic_insert", "cross_promo", "self_promo"]
Position = Literal["pre", "mid", "post"]
Label = Literal["positive", "neutral", "negative"]
CURSOR_KIND = "ai_ad_reads"
# Every filter of ai_ad_reads.sql, unset: the episode route reads all of one episode's reads with it.
NO_FILTERS = dict.fromkeys(("episode_id", "kind", "advertiser_id", "position", "min_confidence",
                            "after_episode_id", "after_seq", "limit"))

EpisodeId = text(max_length=1000)
EpisodeQuery = Annotated[EpisodeId | None, Query(description="Only this episode's ad reads.",
                                                 examples=["ep-2026-09-01"])]
KindQuery = Annotated[Kind | None, Query(description="Only ad reads of this kind.", examples=["host_read"])]
AdvertiserQuery = Annotated[text(max_length=200) | None, Query(
    description="Only ad reads attributed to this catalog advertiser.", examples=["sprocket"])]
PositionQuery = Annotated[Position | None, Query(description="Only pre-, mid- or post-roll reads.",
                                                 examples=["mid"])]
MinConfidenceQuery = Annotated[float | None, Query(ge=0, le=1, allow_inf_nan=False, examples=[0.8],
                                                   description="Only ad reads detected with at least this "
                                                               "confidence (0..1).")]
LimitQuery = Annotated[int, Query(ge=1, le=500, description="Page size.", examples=[50])]
CursorQuery = Annotated[text(max_length=2048) | None, Query(
    description="The next_cursor of the previous page (opaque); leave it out for the first page.")]
EpisodePath = Annotated[EpisodeId, Path(description="The episode's id: its catalog episode_id, or the "
                                                    "transcript file's stem when it was loaded without one.",
                                        examples=["ep-2026-09-01"])]


class AdRead(BaseModel):
    source_file: str = Field(description="The transcript file the read was found in.")
    episode_id: str
    seq: int = Field(description="The read's number within its episode.")
    start_s: float = Field(description="Seconds from the start of the episode.")
    end_s: float
    kind: Kind
    brand: str | None
    advertiser_id: str | None = Field(description="The brand's catalog advertiser; null if none matched.")
    promo_codes: list[str] = Field(description="Promo codes heard in the read.")
    vanity_urls: list[str] = Field(description="Vanity URLs heard in the read.")
    position: Position
    confidence: float = Field(description="0..1.")
    evidence: list[str] = Field(description="Why the segment was taken for an ad read, and of this kind.")
    campaign_id: str | None = Field(description="The brand's campaign the read was checked against.")
    code_said: bool | None = Field(description="Whether the campaign's promo code was said; null when the "
                                               "campaign has no code.")
    url_said: bool | None = Field(description="Whether the campaign's vanity URL was said; null when it has "
                                              "none.")
    url_repeats: int = Field(description="How many times the vanity URL was said.")
    cta: bool = Field(description="Whether the read has a call to action.")
    analyzer: str = Field(description="Which provider's answer this is: local, or the LLM that refined it.")


class AdReadPage(BaseModel):
    data: list[AdRead]
    has_more: bool
    next_cursor: str | None = Field(description="Pass as starting_after for the next page; null on the last.")


class Sentiment(BaseModel):
    score: float | None = Field(description="-1..1; null when no cue holds speech (music only).")
    label: Label | None
    method: str
    positive_share: float
    neutral_share: float
    negative_share: float


class Keyword(BaseModel):
    model_config = ConfigDict(extra="allow")

    term: str
    score: float


class BrandMention(BaseModel):
    model_config = ConfigDict(extra="allow")

    brand: str
    advertiser_id: str | None = None
    kind: str | None = None
    mentions: int


class PersonMention(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str
    mentions: int
    first_s: float = Field(description="Start of the first cue naming the person, in seconds.")


class EpisodeTopic(BaseModel):
    topic_no: int
    label: str
    terms: list[str]
    weight: float = Field(description="How much of the episode the topic accounts for.")


class EpisodeAnalysis(BaseModel):
    episode_id: str
    source_file: str
    format: Literal["vtt", "srt", "json"]
    duration_s: float
    cue_count: int
    words: int
    loaded_at: datetime
    sentiment: Sentiment | None = Field(description="null until the episode is analysed.")
    keywords: list[Keyword]
    brands: list[BrandMention]
    people: list[PersonMention]
    topics: list[EpisodeTopic] = Field(description="Heaviest first.")
    ad_reads: list[AdRead] = Field(description="In the order they are heard.")
    analysis_current: bool = Field(description="Whether the analysis was made from the transcript as loaded "
                                               "now; false before the first analysis and after a new version "
                                               "of the transcript is loaded, until it is analysed again.")


def _page_links() -> dict:
    """OpenAPI links: from a page to the next page and to the episode of its first ad read."""
    return {200: {"description": "Successful Response", "links": {
        "NextPage": {"operationId": "list_ad_reads",
                     "parameters": {"starting_after": "$response.body#/next_cursor"}},
        "FirstEpisode": {"operationId": "get_ai_episode",
                         "parameters": {"episode_id": "$response.body#/data/0/episode_id"}},
    }}}


@router.get("/ad-reads", response_model=AdReadPage, operation_id="list_ad_reads", responses=_page_links())
async def ad_reads(session: ReadAttribution, services: ServicesDep, episode_id: EpisodeQuery = None,
                   kind: KindQuery = None, advertiser_id: AdvertiserQuery = None,
                   position: PositionQuery = None, min_confidence: MinConfidenceQuery = None,
                   limit: LimitQuery = 50, starting_after: CursorQuery = None) -> AdReadPage:
    """The ad reads detected in the tenant's transcripts, by episode and then in episode order (keyset
    pagination); page on with starting_after=<next_cursor>."""
    params = {**NO_FILTERS, "episode_id": episode_id, "kind": kind, "advertiser_id": advertiser_id,
              "position": position, "min_confidence": min_confidence, "limit": limit + 1}
    if starting_after is not None:
        params["after_episode_id"], params["after_seq"] = cursors.unseal(
            services.settings, session.tenant_id, CURSOR_KIND, starting_after, 2)
    found = await session.rows(query("ai_ad_reads"), params)
    rows, has_more = found[:limit], len(found) > limit
    cursor = (cursors.seal(services.settings, session.tenant_id, CURSOR_KIND,
                           [rows[-1]["episode_id"], str(rows[-1]["seq"])]) if has_more else None)
    return AdReadPage(data=rows, has_more=has_more, next_cursor=cursor)


@router.get("/episodes/{episode_id}", response_model=EpisodeAnalysis, operation_id="get_ai_episode",
            responses={404: ERROR_RESPONSES[404]})
async def episode(session: ReadAttribution, episode_id: EpisodePath) -> EpisodeAnalysis:
    """One episode's transcript, its analysis and its ad reads; an episode without a transcript (or another
    tenant's) is a 404."""
    transcripts, topics, reads = await session.results(
        (query("ai_episode"), query("ai_episode_topics"), query("ai_ad_reads")),
        {**NO_FILTERS, "episode_id": episode_id})  # one message: one snapshot, one round trip
    if not transcripts:
        raise not_found(f"No transcript for episode {episode_id!r}; load it with "
                        "`earmark transcripts ingest`.")
    row = transcripts[0]
    sentiment = None
    if row["analysed"]:
        sentiment = Sentiment(score=row["sentiment_score"], label=row["sentiment_label"],
                              method=row["sentiment_method"], positive_share=row["positive_share"],
                              neutral_share=row["neutral_share"], negative_share=row["negative_share"])
    return EpisodeAnalysis(
        **{name: row[name] for name in ("episode_id", "source_file", "format", "duration_s", "cue_count",
                                        "words", "loaded_at", "keywords", "brands", "people",
                                        "analysis_current")},
        sentiment=sentiment, topics=topics, ad_reads=sorted(reads, key=lambda r: (r["start_s"], r["seq"])))

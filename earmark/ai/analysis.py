"""One tenant's content analysis: for every transcript whose analysis is missing or stale, sentiment (per cue
and per episode), keywords, people and catalog brands named, and ad reads checked against their campaigns;
then the topics of the tenant's whole corpus. Everything is written in one transaction, so a failed run
leaves the previous analysis as it was.

The local analyzer does all of it. When the tenant orders an LLM provider first, the ad reads the local
detector is unsure about (confidence below `refine_below`) go to it for a second opinion (refine.py).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from uuid import UUID

import psycopg

from earmark import db
from earmark.ai.adreads import AdRead, Context, detect
from earmark.ai.adreads.brands import Brand, BrandCatalog, Mention
from earmark.ai.adreads.episode import read_episode
from earmark.ai.adreads.model import LOCAL_ANALYZER
from earmark.ai.content.keywords import episode_keywords
from earmark.ai.content.people import people_mentioned
from earmark.ai.content.sentiment import METHOD, episode_sentiment
from earmark.ai.content.topics import Topic, discover_topics
from earmark.ai.refine import Refiner
from earmark.ai.transcripts import Transcript
from earmark.ai.transcripts.store import read_transcript
from earmark.sqlfiles import load

SQL = "earmark.ai"


@dataclass
class AnalysisSummary:
    tenant_id: str
    episodes: int = 0
    ad_reads: int = 0
    refined: int = 0
    topics: int = 0
    seconds: float = 0.0
    kinds: dict[str, int] = field(default_factory=dict)

    def as_metadata(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "kinds"} | {f"kind_{k}": v for k, v in
                                                                          self.kinds.items()}


@dataclass(frozen=True)
class _Campaign:
    campaign_id: str
    starts_on: object
    ends_on: object
    codes: tuple[tuple[str, str | None], ...]  # (code, show it is limited to)
    urls: tuple[tuple[str, str | None], ...]


@dataclass
class _Episode:
    """One outdated transcript: what was read for it, then what the analysis found."""

    episode_id: str
    digest: str
    transcript: Transcript
    context: Context
    show_id: str | None
    published_at: datetime | None
    reads: list[AdRead] = field(default_factory=list)
    mentions: list[list[Mention]] = field(default_factory=list)  # catalog brands named, per cue


def analyse_tenant(tenant_id: UUID | str, full: bool = False, refiner: Refiner | None = None
                   ) -> AnalysisSummary:
    """Three steps, so that no transaction stays open while an LLM is asked: read in one transaction,
    analyse outside any, write in one transaction (an episode whose transcript changed meanwhile is left
    for the next run, its new version is what it must be analysed from)."""
    started = time.perf_counter()
    summary = AnalysisSummary(str(tenant_id))
    params = {"tenant_id": str(tenant_id), "full": full}
    with db.connect("transformer") as conn:
        with db.tenant_transaction(conn, tenant_id):
            outdated = conn.execute(load(SQL, "analysis_outdated"), params).fetchall()
            if not outdated:
                summary.seconds = round(time.perf_counter() - started, 3)
                return summary
            catalog = _catalog(conn, params)
            campaigns = _campaigns(conn, params)
            corpus = dict(conn.execute(load(SQL, "analysis_corpus"), params).fetchall())
            episodes = [
                _Episode(episode_id, digest, read_transcript(conn, tenant_id, episode_id, source, fmt),
                         Context(catalog, title, tuple(hosts)), show_id, published_at)
                for episode_id, source, fmt, digest, title, hosts, published_at, show_id in outdated]
        keywords = episode_keywords(corpus)
        topics = discover_topics(corpus)
        for episode in episodes:
            cues = read_episode(episode.transcript, episode.context)
            episode.reads, episode.mentions = detect(episode.transcript, episode.context, cues), cues.mentions
            if refiner is not None:
                episode.reads, refined = refiner(episode.transcript, episode.reads, episode.context)
                summary.refined += refined
        with db.tenant_transaction(conn, tenant_id):
            kinds: Counter[str] = Counter()
            for episode in episodes:
                current = conn.execute(load(SQL, "transcript_current"),
                                       {**params, "episode_id": episode.episode_id}).fetchone()
                if current is None or current[0] != episode.digest:
                    continue  # replaced or removed while it was analysed
                _write_episode(conn, params, episode, keywords.get(episode.episode_id, []))
                _write_ad_reads(conn, params, episode, campaigns)
                kinds.update(r.kind for r in episode.reads)
                summary.episodes += 1
                summary.ad_reads += len(episode.reads)
            _write_topics(conn, params, topics)
            summary.topics = len(topics)
    summary.kinds = dict(sorted(kinds.items()))
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


def _catalog(conn: psycopg.Connection, params: dict) -> BrandCatalog:
    rows = conn.execute(load(SQL, "analysis_catalog_brands"), params).fetchall()
    return BrandCatalog([Brand(name, kind, advertiser_id, tuple(aliases), tuple(domains))
                         for advertiser_id, name, aliases, domains, kind in rows])


def _campaigns(conn: psycopg.Connection, params: dict) -> dict[str, list[_Campaign]]:
    found: dict[str, dict[str, _Campaign]] = {}
    for advertiser_id, campaign_id, starts_on, ends_on, what, value, show_id in conn.execute(
            load(SQL, "analysis_campaign_responses"), params):
        campaigns = found.setdefault(advertiser_id, {})
        campaign = campaigns.setdefault(campaign_id, _Campaign(campaign_id, starts_on, ends_on, (), ()))
        if what == "code":
            campaigns[campaign_id] = replace(campaign, codes=campaign.codes + ((value, show_id),))
        elif what == "url":
            campaigns[campaign_id] = replace(campaign, urls=campaign.urls + ((value, show_id),))
    return {advertiser: list(by_id.values()) for advertiser, by_id in found.items()}


def _write_episode(conn: psycopg.Connection, params: dict, episode: _Episode, keywords) -> None:
    episode_id, digest, transcript, context = (episode.episode_id, episode.digest, episode.transcript,
                                               episode.context)
    sentiment = episode_sentiment(transcript.cues)
    excluded = [b.name for b in context.catalog.brands] + ([context.show_title] if context.show_title else [])
    people = people_mentioned(transcript.cues, exclude=excluded)
    brands = Counter()
    by_name: dict[str, Brand] = {}
    for mentions in episode.mentions:
        for m in mentions:
            brands[m.brand.name] += 1
            by_name[m.brand.name] = m.brand
    row = {
        **params, "episode_id": episode_id, "content_hash": digest,
        "sentiment": None if sentiment.compound is None else round(sentiment.compound, 4),
        "sentiment_label": sentiment.label,
        "sentiment_method": METHOD, "positive_share": round(sentiment.positive_share, 4),
        "neutral_share": round(sentiment.neutral_share, 4),
        "negative_share": round(sentiment.negative_share, 4),
        "keywords": json.dumps([{"term": k.term, "score": round(k.score, 4)} for k in keywords]),
        "brands": json.dumps([{"brand": name, "advertiser_id": by_name[name].advertiser_id,
                               "kind": by_name[name].kind, "mentions": n}
                              for name, n in brands.most_common()]),
        "people": json.dumps([{"name": p.name, "mentions": p.mentions, "first_s": p.first_s}
                              for p in people]),
        "analyzer": LOCAL_ANALYZER,
    }
    conn.execute(load(SQL, "analysis_episode_insert"), row)
    keys = {**params, "episode_id": episode_id}
    conn.execute(load(SQL, "analysis_cue_sentiments_delete"), keys)
    seq_of = {id(c): i for i, c in enumerate(transcript.cues)}
    conn.cursor().executemany(load(SQL, "analysis_cue_sentiment_insert"), [
        (params["tenant_id"], episode_id, seq_of[id(scored.cue)], round(scored.compound, 4), scored.label)
        for scored in sentiment.cues])


def _campaign_for(campaigns: list[_Campaign], published_at: datetime | None) -> _Campaign | None:
    """The advertiser's campaign whose flight covers the episode's date, else its latest."""
    if not campaigns:
        return None
    if published_at is not None:
        day = published_at.date()
        for campaign in campaigns:
            if campaign.starts_on <= day <= campaign.ends_on:
                return campaign
    return campaigns[0]


def _write_ad_reads(conn: psycopg.Connection, params: dict, episode: _Episode,
                    campaigns: dict[str, list[_Campaign]]) -> None:
    episode_id, show_id = episode.episode_id, episode.show_id
    conn.execute(load(SQL, "analysis_ad_reads_delete"), {**params, "episode_id": episode_id})
    rows = []
    for seq, read in enumerate(episode.reads):
        campaign = _campaign_for(campaigns.get(read.advertiser_id or "", []), episode.published_at)
        # what the campaign asked this show to say: its codes and URLs for every show or for this one
        codes = {c for c, only in campaign.codes if only in (None, show_id)} if campaign else set()
        urls = {u for u, only in campaign.urls if only in (None, show_id)} if campaign else set()
        rows.append({
            **params, "episode_id": episode_id, "seq": seq, "start_s": read.start_s, "end_s": read.end_s,
            "first_cue": read.first_cue, "last_cue": read.last_cue, "kind": read.kind, "brand": read.brand,
            "advertiser_id": read.advertiser_id, "promo_codes": list(read.promo_codes),
            "vanity_urls": list(read.vanity_urls), "position": read.position, "confidence": read.confidence,
            "evidence": list(read.evidence), "campaign_id": campaign.campaign_id if campaign else None,
            "code_said": bool(codes & set(read.promo_codes)) if codes else None,
            "url_said": bool(urls & set(read.vanity_urls)) if urls else None,
            # how often the host said the campaign's URL (any URL, when the campaign gave none)
            "url_repeats": sum(n for url, n in read.url_counts if url in urls or not urls), "cta": read.cta,
            "analyzer": read.analyzer,
        })
    conn.cursor().executemany(load(SQL, "analysis_ad_read_insert"), rows)


def _write_topics(conn: psycopg.Connection, params: dict, topics: list[Topic]) -> None:
    conn.execute(load(SQL, "analysis_topics_delete"), params)
    cursor = conn.cursor()
    cursor.executemany(load(SQL, "analysis_topic_insert"), [
        {**params, "topic_no": t.topic_no, "label": t.label, "terms": t.terms} for t in topics])
    cursor.executemany(load(SQL, "analysis_topic_episode_insert"), [
        {**params, "topic_no": t.topic_no, "episode_id": episode_id, "weight": round(weight, 4)}
        for t in topics for episode_id, weight in t.episodes])

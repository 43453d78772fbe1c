"""Offline content analysis of episode transcripts: sentiment, keywords, topics and the people in them.

Nothing here calls a model provider or downloads anything: VADER's lexicon ships in its package, TF-IDF
and NMF are scikit-learn's, and people are found by rules, so an analysis is cheap, private to the
tenant and the same every time it runs.
"""

from earmark.ai.content.keywords import Keyword, episode_keywords
from earmark.ai.content.people import Person, people_mentioned
from earmark.ai.content.sentiment import (
    METHOD,
    CueSentiment,
    EpisodeSentiment,
    cue_sentiments,
    episode_sentiment,
)
from earmark.ai.content.speech import episode_text, is_sound, speech_text
from earmark.ai.content.topics import Topic, default_topic_count, discover_topics

__all__ = [
    "METHOD",
    "CueSentiment",
    "EpisodeSentiment",
    "Keyword",
    "Person",
    "Topic",
    "cue_sentiments",
    "default_topic_count",
    "discover_topics",
    "episode_keywords",
    "episode_sentiment",
    "episode_text",
    "is_sound",
    "people_mentioned",
    "speech_text",
]

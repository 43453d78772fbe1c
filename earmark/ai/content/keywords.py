"""Keywords of each episode: the terms that set it apart from the rest of its tenant's catalogue.

TF-IDF is fitted over all of a tenant's episodes together, because "distinctive" only means something
against the shows' own back catalogue: on a cooking show "recipe" says little, on a cycling show a lot.
Fitted on one episode alone, every term's IDF is the same (smoothed, ln(2/2) + 1 = 1), so the ranking
falls back to (sublinear) term frequency; that is still a fair reading of what the episode dwells on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from earmark.ai.content.vocabulary import ranked_terms, tfidf_vectoriser


@dataclass(frozen=True)
class Keyword:
    term: str  # a word or a two-word phrase, lower case
    score: float  # the term's TF-IDF weight in the episode (rows are L2-normalised, so in (0, 1])


def episode_keywords(docs: Mapping[str, str], top_n: int = 10) -> dict[str, list[Keyword]]:
    """The top_n keywords of every episode, keyed like docs (episode id -> the episode's text).

    An episode with no usable words (empty, or only fillers and stop words) gets an empty list.
    """
    ids = list(docs)
    vectoriser = tfidf_vectoriser()
    try:
        weights = vectoriser.fit_transform(docs[i] for i in ids)  # CSR: one row per episode
    except ValueError:  # scikit-learn's "empty vocabulary": no document has a single usable word
        return {i: [] for i in ids}
    terms = vectoriser.get_feature_names_out()
    keywords = {}
    for row, episode_id in enumerate(ids):
        start, end = weights.indptr[row], weights.indptr[row + 1]
        columns, scores = weights.indices[start:end], weights.data[start:end]
        keywords[episode_id] = [Keyword(t, s) for t, s in ranked_terms(terms[columns], scores, top_n)]
    return keywords

insert into ai.episode_analyses (tenant_id, episode_id, content_hash, sentiment, sentiment_label,
                                 sentiment_method, positive_share, neutral_share, negative_share, keywords,
                                 brands, people, analyzer)
values (%(tenant_id)s, %(episode_id)s, %(content_hash)s, %(sentiment)s, %(sentiment_label)s,
        %(sentiment_method)s, %(positive_share)s, %(neutral_share)s, %(negative_share)s, %(keywords)s,
        %(brands)s, %(people)s, %(analyzer)s)
on conflict (tenant_id, episode_id) do update
    set content_hash = excluded.content_hash, sentiment = excluded.sentiment,
        sentiment_label = excluded.sentiment_label, sentiment_method = excluded.sentiment_method,
        positive_share = excluded.positive_share, neutral_share = excluded.neutral_share,
        negative_share = excluded.negative_share, keywords = excluded.keywords, brands = excluded.brands,
        people = excluded.people, analyzer = excluded.analyzer, analysed_at = now()

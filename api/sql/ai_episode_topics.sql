-- The topics one episode belongs to (topics are found across the tenant's episodes), heaviest first.
select
    memberships.topic_no,
    topics.label,
    topics.terms,
    memberships.weight::float8 as weight
from ai.topic_episodes as memberships
inner join ai.topics as topics
    on topics.tenant_id = memberships.tenant_id and topics.topic_no = memberships.topic_no
where memberships.episode_id = %(episode_id)s::text
order by memberships.weight desc, memberships.topic_no

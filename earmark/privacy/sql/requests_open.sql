-- Requests not yet completed, oldest first, across tenants (the transformer's platform policy); with the
-- time of their last attempt, so the sensor retries one whose run died.
select tenant_id, id, kind, phase, attempted_at
from app.privacy_requests
where phase <> 'completed'
order by received_at, id

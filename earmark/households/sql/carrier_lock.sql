-- One carrier list import (or the first use's default load) at a time.
select pg_advisory_xact_lock(hashtextextended('households:carrier-list', 0))

select tenant_id, revision as catalog_revision
from {{ source('catalog', 'revisions') }}

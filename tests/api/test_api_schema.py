"""schemathesis on the live OpenAPI schema with a valid key (marts built): no 5xx, no schema violation,
no ignored auth."""

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import load_all_checks

from api.main import create_app
from api.settings import ApiSettings

load_all_checks()
app = create_app(api_settings=ApiSettings(rate_limit_scale=1000))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, schema_caller, attribution_tenants):
    case.call_and_validate(headers=schema_caller.headers)

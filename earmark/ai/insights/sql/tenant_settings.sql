select country, reporting_model, download_window, currency
from app.tenant_settings
where tenant_id = %(tenant_id)s

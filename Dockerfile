# One image for every production service: Dagster webserver, Dagster daemon, the read API and the
# one-shot migrations. Dependencies come from the same lock as `make`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    EARMARK_ENV=production \
    EARMARK_HOME=/data/earmark \
    DAGSTER_HOME=/opt/dagster/home \
    DBT_SEND_ANONYMOUS_USAGE_STATS=false

WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir uv==0.13.9 \
    && uv pip install --system --no-cache -r requirements.lock

COPY . .
# Editable, so dbt_project/, dagster.yaml and workspace.yaml resolve beside the packages.
RUN uv pip install --system --no-cache --no-deps -e . \
    && mkdir -p "$DAGSTER_HOME" "$EARMARK_HOME" \
    && cp dagster.yaml "$DAGSTER_HOME/dagster.yaml" \
    && cd dbt_project && dbt parse --quiet

RUN useradd --system --home /app earmark && chown -R earmark "$EARMARK_HOME" "$DAGSTER_HOME" /app/dbt_project
USER earmark

EXPOSE 3000 8000
CMD ["earmark", "serve", "--host", "0.0.0.0", "--port", "8000"]

# One image for every production service: Dagster webserver, Dagster daemon, the read API and the
# one-shot migrations. Dependencies come from the same lock as `make`; the project itself is installed
# from its built wheel, not in editable mode, so the image runs exactly what a release ships.
FROM python:3.11-slim AS wheel
WORKDIR /src
COPY . .
RUN pip install --no-cache-dir uv==0.13.9 && uv build --wheel --out-dir /dist

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

COPY --from=wheel /dist/*.whl /tmp/
COPY workspace.yaml ./
# The wheel ships the dbt project beside the packages (site-packages/dbt_project) and the Dagster
# instance file inside earmark; parse the manifest once at build time.
RUN uv pip install --system --no-cache --no-deps /tmp/earmark-*.whl && rm /tmp/earmark-*.whl \
    && mkdir -p "$DAGSTER_HOME" "$EARMARK_HOME" \
    && python -c "from earmark.orchestration import DAGSTER_YAML; print(DAGSTER_YAML)" \
       | xargs -I{} cp {} "$DAGSTER_HOME/dagster.yaml" \
    && DBT_DIR="$(python -c 'from earmark.attribution.dbt_env import DBT_PROJECT_DIR; print(DBT_PROJECT_DIR)')" \
    && cd "$DBT_DIR" && dbt parse --quiet --profiles-dir . \
    && useradd --system --home /app earmark \
    && chown -R earmark "$EARMARK_HOME" "$DAGSTER_HOME" "$DBT_DIR"

USER earmark
EXPOSE 3000 8000
CMD ["earmark", "serve", "--host", "0.0.0.0", "--port", "8000"]

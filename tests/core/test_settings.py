import pytest
from pydantic import ValidationError

from earmark import db
from earmark.settings import DEVELOPMENT_SECRET, Settings, get_settings


def test_outside_development_the_development_secret_is_refused():
    for env in ("test", "production"):
        with pytest.raises(ValidationError, match="EARMARK_SECRET_KEY is still the development default"):
            Settings(env=env, secret_key=DEVELOPMENT_SECRET)
    assert Settings(env="development", secret_key=DEVELOPMENT_SECRET).env == "development"
    assert Settings(env="production", secret_key="s" * 40).env == "production"


def test_external_server_urls_per_role():
    settings = Settings(database_url="postgresql://admin:pw@db.internal:5432/postgres",
                        transformer_password="t p", api_password="a")
    assert db.url("admin", settings=settings) == "postgresql://admin:pw@db.internal:5432/postgres"
    assert db.url("owner", settings=settings) == "postgresql://admin:pw@db.internal:5432/earmark"
    assert db.url("transformer", settings=settings) == (
        "postgresql://earmark_transformer:t%20p@db.internal:5432/earmark")
    assert db.url("api", settings=settings) == "postgresql://earmark_api:a@db.internal:5432/earmark"


def test_outside_development_an_external_server_needs_the_role_passwords():
    url = "postgresql://admin:pw@db.internal:5432/postgres"
    for env in ("test", "production"):
        with pytest.raises(ValidationError, match="EARMARK_TRANSFORMER_PASSWORD and EARMARK_API_PASSWORD"):
            Settings(env=env, secret_key="s" * 40, database_url=url)
        with pytest.raises(ValidationError, match="set EARMARK_API_PASSWORD"):
            Settings(env=env, secret_key="s" * 40, database_url=url, transformer_password="t")
        assert Settings(env=env, secret_key="s" * 40, database_url=url, transformer_password="t",
                        api_password="a").database_url == url
    # Development on an external server may rely on trust or .pgpass.
    assert Settings(env="development", database_url=url).transformer_password is None


def test_development_tools_are_refused_in_production(database, make_tenant, monkeypatch):
    from earmark.attribution import synthetic
    from earmark.errors import EarmarkError
    from earmark.settings import refuse_in_production

    production = Settings(env="production", secret_key="s" * 40)
    with pytest.raises(EarmarkError, match="refused when EARMARK_ENV=production"):
        refuse_in_production("`earmark bench`", production)
    refuse_in_production("`earmark bench`", Settings(env="test", secret_key="s" * 40))  # no error
    tenant = make_tenant()
    monkeypatch.setenv("EARMARK_ENV", "production")
    get_settings.cache_clear()
    try:
        with db.connect("transformer") as conn, pytest.raises(EarmarkError, match="synthetic event loader"):
            synthetic.copy_events(conn, tenant.id, synthetic.generate_journeys(3, seed=1))
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    with db.connect("transformer") as conn:
        assert conn.execute("select count(*) from raw.events where tenant_id = %s", [tenant.id]
                            ).fetchone()[0] == 0

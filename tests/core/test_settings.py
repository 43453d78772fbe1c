import pytest
from pydantic import ValidationError

from earmark import db
from earmark.settings import Settings


def test_production_refuses_the_development_secret():
    with pytest.raises(ValidationError, match="EARMARK_SECRET_KEY is still the development default"):
        Settings(env="production")
    assert Settings(env="production", secret_key="s" * 40).env == "production"


def test_external_server_urls_per_role():
    settings = Settings(database_url="postgresql://admin:pw@db.internal:5432/postgres",
                        transformer_password="t p", api_password="a")
    assert db.url("admin", settings=settings) == "postgresql://admin:pw@db.internal:5432/postgres"
    assert db.url("owner", settings=settings) == "postgresql://admin:pw@db.internal:5432/earmark"
    assert db.url("transformer", settings=settings) == (
        "postgresql://earmark_transformer:t%20p@db.internal:5432/earmark")
    assert db.url("api", settings=settings) == "postgresql://earmark_api:a@db.internal:5432/earmark"

"""The Dagster fixtures (tests/dagster_fixtures.py), and the downloads tests' log helpers."""

import sys
from pathlib import Path

from dagster_fixtures import dagster_instance, landing  # noqa: F401

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "downloads"))

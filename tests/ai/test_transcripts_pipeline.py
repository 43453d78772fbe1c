"""Transcripts through Dagster, as `earmark transcripts ingest` and the landing sensor run them: every file
loaded, a duplicate, or refused whole with its line; then analysed into ad reads, sentiment and topics."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from earmark import db
from earmark.catalog.importer import import_file
from earmark.orchestration import transcript_landing_folder
from pipelines import runner

EVAL = Path(__file__).parent / "eval" / "p2"
FILES = [EVAL / "transcripts" / "p2-e01.vtt", EVAL / "transcripts" / "p2-e02.srt"]
EARMARK = str(Path(sys.executable).with_name("earmark"))
CATALOG = ("advertisers", "shows", "episodes", "campaigns", "promo_codes", "vanity_urls")


@pytest.fixture
def tenant(make_tenant):
    made = make_tenant()
    for kind in CATALOG:
        assert import_file(made.id, kind, EVAL / f"{kind}.csv").rejected == 0
    yield str(made.id)
    shutil.rmtree(transcript_landing_folder(str(made.id)).parent, ignore_errors=True)


def _rows(tenant_id: str, sql: str) -> list[tuple]:
    with db.connect("api") as conn, db.tenant_transaction(conn, tenant_id):
        return conn.execute(sql).fetchall()


def test_files_load_and_are_analysed_in_one_run(tenant):
    result = runner.transcripts(tenant, [str(p) for p in FILES])
    assert result.success, result.error
    assert {k: result.metadata[k] for k in ("files", "loaded", "duplicate", "rejected")} == {
        "files": 2, "loaded": 2, "duplicate": 0, "rejected": 0}
    assert result.analysis["episodes"] == 2
    cues = _rows(tenant, "select episode_id, count(*) from ai.transcript_cues group by 1 order by 1")
    assert cues == [("p2-e01", 144), ("p2-e02", 128)]
    reads = _rows(tenant, "select start_s::float8, kind, brand, promo_codes, vanity_urls, position, "
                          "code_said, url_said, url_repeats from ai.ad_reads where episode_id = 'p2-e01' "
                          "order by start_s")
    read = next(r for r in reads if r[2] == "Burrowly")
    expected = (394.442, "host_read", "Burrowly", ["MIST20"], ["burrowly.com/mist"], "mid", True, True, 2)
    assert read == expected
    sentiment = _rows(tenant, "select sentiment_method, keywords <> '[]' from ai.episode_analyses order by 1")
    assert len(sentiment) == 2 and sentiment[0][0].startswith("vader") and sentiment[0][1]
    assert _rows(tenant, "select count(*) > 0 from ai.topics") == [(True,)]


def test_loading_the_same_files_again_is_a_duplicate_and_analyses_nothing(tenant):
    runner.transcripts(tenant, [str(p) for p in FILES])
    again = runner.transcripts(tenant, [str(p) for p in FILES])
    assert (again.metadata["loaded"], again.metadata["duplicate"]) == (0, 2)
    assert again.analysis["episodes"] == 0


def test_a_file_that_cannot_be_parsed_is_refused_whole_and_the_others_load(tenant, tmp_path):
    bad = tmp_path / "broken.vtt"
    bad.write_text("WEBVTT\n\n00:00.000 --> 00:05.000\nHello there\n\n00:09.000 --> 00:07.000\nBackwards\n")
    result = runner.transcripts(tenant, [str(FILES[0]), str(bad)])
    outcomes = {o["file"]: o for o in result.metadata["outcomes"]}
    assert outcomes["p2-e01.vtt"]["outcome"] == "loaded"
    assert outcomes["broken.vtt"]["outcome"] == "rejected"
    assert "broken.vtt line 6" in outcomes["broken.vtt"]["reason"]
    assert _rows(tenant, "select episode_id from ai.transcripts order by 1") == [("p2-e01",)]


def test_a_landed_file_is_loaded_and_moved_to_processed(tenant):
    folder = transcript_landing_folder(tenant)
    shutil.copy(FILES[1], folder / "p2-e02.srt")
    result = runner.transcripts(tenant, [])
    assert result.metadata["loaded"] == 1
    assert not (folder / "p2-e02.srt").exists()
    assert [p.name.endswith("-p2-e02.srt") for p in (folder / "processed").iterdir()] == [True]


def test_another_tenant_sees_none_of_it(tenant, make_tenant):
    runner.transcripts(tenant, [str(FILES[0])])
    other = str(make_tenant().id)
    tables = ("transcripts", "transcript_cues", "ad_reads", "episode_analyses", "cue_sentiments", "topics")
    for table in tables:
        assert _rows(other, f"select count(*) from ai.{table}") == [(0,)]
        assert _rows(tenant, f"select count(*) > 0 from ai.{table}") == [(True,)]
    with psycopg.connect(db.url("api")) as conn:
        assert conn.execute("select count(*) from ai.transcript_cues").fetchone() == (0,)  # no tenant set


def test_the_cli_ingests_and_exports_ad_reads_as_csv_and_json(tenant):
    env = dict(os.environ)
    done = subprocess.run([EARMARK, "transcripts", "ingest", "--tenant", tenant, str(FILES[0]), "--json"],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["loaded"] == 1
    as_json = subprocess.run([EARMARK, "ai", "ad-reads", "--tenant", tenant, "--format", "json"],
                             capture_output=True, text=True, timeout=120, env=env)
    rows = json.loads(as_json.stdout)
    assert len(rows) == _rows(tenant, "select count(*) from ai.ad_reads")[0][0] >= 5
    assert set(rows[0]) >= {"source_file", "episode_id", "start_s", "end_s", "kind", "brand", "promo_codes",
                            "vanity_urls", "position", "confidence"}
    as_csv = subprocess.run([EARMARK, "ai", "ad-reads", "--tenant", tenant, "--format", "csv"],
                            capture_output=True, text=True, timeout=120, env=env)
    lines = as_csv.stdout.splitlines()
    assert lines[0].startswith("source_file,episode_id,start_s,end_s,kind,brand,promo_codes,vanity_urls,"
                               "position,confidence")
    assert len(lines) == len(rows) + 1


def test_a_bad_file_makes_the_cli_say_which_line(tenant, tmp_path):
    bad = tmp_path / "ep.srt"
    bad.write_text("1\n00:00:01,000 --> nonsense\nHi\n")
    done = subprocess.run([EARMARK, "transcripts", "ingest", "--tenant", tenant, str(bad)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert "ep.srt line 2" in done.stdout + done.stderr


def test_earmark_run_loads_and_analyses_landed_transcripts(tenant):
    from pipelines.operations import run_pipeline

    shutil.copy(FILES[0], transcript_landing_folder(tenant) / FILES[0].name)
    summary = run_pipeline(tenant_id=tenant)
    assert summary.failed == []
    assert summary.transcripts[tenant]["loaded"] == 1
    stored = _rows(tenant, "select count(*) from ai.ad_reads")[0][0]
    assert summary.transcripts[tenant]["ad_reads"] == stored >= 5

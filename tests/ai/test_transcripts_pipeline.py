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
    # as the pipeline's role, which (like the API's) sees one tenant: the one its transaction names
    with db.connect("transformer") as conn, db.tenant_transaction(conn, tenant_id):
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
    with psycopg.connect(db.url("transformer")) as conn:
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


# Files the database cannot store, replacements, the landing folder's races and links, the sensor


def _landed(tenant_id: str, name: str, data: bytes, mtime: int | None = None) -> Path:
    path = transcript_landing_folder(tenant_id) / name
    path.write_bytes(data)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def _moved(folder: Path) -> dict[str, str]:
    """The files moved into processed/ or failed/, by their name without the time stamp: their content
    for an .error.txt, else ''."""
    if not folder.is_dir():
        return {}
    return {p.name.split("-", 1)[1]: p.read_text() if p.name.endswith(".error.txt") else ""
            for p in folder.iterdir()}


@pytest.mark.parametrize("unstorable", ["\x00", "\ud800"])
def test_text_the_database_refuses_is_a_rejected_file_and_the_next_file_still_loads(tenant, monkeypatch,
                                                                                     tmp_path, unstorable):
    from earmark.ai.transcripts import Cue, Transcript, store

    parse = store.parse_transcript
    bad = tmp_path / "bad.vtt"

    def parse_through(path: Path, **kwargs) -> Transcript:  # what a parser that missed it would hand on
        if path == bad:
            return Transcript((Cue(0.0, 1.0, f"Hi {unstorable}there"),), "vtt", "bad.vtt")
        return parse(path, **kwargs)

    monkeypatch.setattr(store, "parse_transcript", parse_through)
    result = store.load_files(tenant, [bad, FILES[0]])
    rejected, loaded = result.files
    assert (rejected.file, rejected.episode_id, rejected.outcome, rejected.cues) == ("bad.vtt", "bad",
                                                                                      "rejected", 0)
    assert rejected.reason.startswith("bad.vtt: the database cannot store this file's text or times (")
    assert rejected.reason.endswith("); check the file for control characters, or export it again.")
    assert "insert" not in rejected.reason.lower() and rejected.reason.count(";") == 1
    assert (loaded.file, loaded.outcome, loaded.cues) == ("p2-e01.vtt", "loaded", 144)
    assert _rows(tenant, "select episode_id from ai.transcripts order by 1") == [("p2-e01",)]


def test_a_refused_landed_file_goes_to_failed_with_its_reason_and_the_others_load(tenant):
    landing = transcript_landing_folder(tenant)
    _landed(tenant, "nul.srt", b"1\n00:00:01,000 --> 00:00:02,000\nHi\x00\n", mtime=1_000)
    _landed(tenant, "p2-e02.srt", FILES[1].read_bytes(), mtime=2_000)
    _landed(tenant, "late.json", b'[{"start": 0, "end": 1e306, "text": "Hi"}]', mtime=3_000)
    result = runner.transcripts(tenant, [], analyse=False)
    assert result.success, result.error
    outcomes = {o["file"]: o for o in result.metadata["outcomes"]}
    assert {name: o["outcome"] for name, o in outcomes.items()} == {
        "nul.srt": "rejected", "p2-e02.srt": "loaded", "late.json": "rejected"}
    assert outcomes["nul.srt"]["reason"] == (
        "nul.srt line 3: the line holds U+0000 at column 3, which the database cannot store as text; "
        "remove it (a NUL or a lone surrogate is not text: check that the file is the episode's transcript).")
    assert outcomes["late.json"]["reason"].startswith(
        'late.json line 1: segment 1 has "end": 1e+306, more than 48 hours into the episode; ')
    assert _moved(landing / "failed") == {
        "nul.srt": "", "nul.srt.error.txt": outcomes["nul.srt"]["reason"] + "\n",
        "late.json": "", "late.json.error.txt": outcomes["late.json"]["reason"] + "\n"}
    assert _moved(landing / "processed") == {"p2-e02.srt": ""}
    assert sorted(p.name for p in landing.iterdir()) == ["failed", "processed"]


def test_replacing_a_transcript_drops_its_old_ad_reads_and_analysis_in_the_same_transaction(tenant, tmp_path):
    from earmark.ai.exports import ad_read_rows

    assert runner.transcripts(tenant, [str(FILES[0])]).success
    assert len([r for r in ad_read_rows(tenant) if r["episode_id"] == "p2-e01"]) >= 5
    short = tmp_path / "p2-e01.vtt"  # the same episode, a new version without ads
    short.write_text("WEBVTT\n\n00:00.000 --> 00:04.000\nWelcome back. Today we talk about tomatoes.\n\n"
                     "00:04.000 --> 00:09.000\nThey like sun, water and patience.\n")
    replaced = runner.transcripts(tenant, [str(short)], analyse=False)
    assert replaced.metadata["replaced"] == 1
    assert ad_read_rows(tenant) == []
    assert _rows(tenant, "select count(*) from ai.ad_reads") == [(0,)]
    assert _rows(tenant, "select count(*) from ai.episode_analyses") == [(0,)]
    assert _rows(tenant, "select count(*) from ai.cue_sentiments") == [(0,)]
    analysed = runner.analyse(tenant)
    assert (analysed.metadata["episodes"], analysed.metadata["ad_reads"]) == (1, 0)
    assert ad_read_rows(tenant) == []
    assert _rows(tenant, "select a.content_hash = t.content_hash from ai.episode_analyses a "
                         "join ai.transcripts t using (tenant_id, episode_id)") == [(True,)]
    assert _rows(tenant, "select count(*) from ai.cue_sentiments") == [(2,)]


def test_a_landed_file_another_run_took_first_is_skipped_as_vanished(tenant, tmp_path):
    # queued by the sensor, then loaded and moved by another run before this one started
    taken = transcript_landing_folder(tenant) / "p2-e02.srt"
    result = runner.transcripts(tenant, [str(taken), str(tmp_path / "never.srt")], analyse=False)
    assert result.success, result.error
    assert {k: result.metadata[k] for k in ("files", "loaded", "vanished", "rejected")} == {
        "files": 2, "loaded": 0, "vanished": 1, "rejected": 1}
    vanished, missing = result.metadata["outcomes"]
    assert (vanished["file"], vanished["outcome"]) == ("p2-e02.srt", "vanished")
    assert (missing["file"], missing["outcome"]) == ("never.srt", "rejected")
    assert missing["reason"] == ("never.srt: the file cannot be read (No such file or directory); check the "
                                 "path and its permissions.")
    assert not (transcript_landing_folder(tenant) / "failed").exists()


def test_a_file_that_cannot_be_moved_is_logged_and_the_others_still_move(tenant):
    landing = transcript_landing_folder(tenant)
    (landing / "processed").write_text("a file where the folder belongs")
    _landed(tenant, "p2-e02.srt", FILES[1].read_bytes(), mtime=1_000)
    _landed(tenant, "bad.srt", b"1\n00:00:01,000 --> nonsense\nHi\n", mtime=2_000)
    result = runner.transcripts(tenant, [], analyse=False)
    assert result.success, result.error
    assert (result.metadata["loaded"], result.metadata["rejected"]) == (1, 1)
    assert (landing / "p2-e02.srt").exists()  # stays, and is a duplicate next time
    assert set(_moved(landing / "failed")) == {"bad.srt", "bad.srt.error.txt"}


def test_symlinks_in_the_landing_folder_are_not_followed(tenant, tmp_path):
    from earmark.orchestration import waiting_transcripts

    landing = transcript_landing_folder(tenant)
    (landing / "p2-e01.vtt").symlink_to(FILES[0])  # a file elsewhere: another tenant's, or the server's
    elsewhere = tmp_path / "inner"
    elsewhere.mkdir()
    (elsewhere / "p2-e02.srt").write_bytes(FILES[1].read_bytes())
    (landing / "ep.srt").symlink_to(elsewhere / "p2-e02.srt")
    (landing / "dir.vtt").mkdir()
    assert waiting_transcripts(tenant) == []
    result = runner.transcripts(tenant, [], analyse=False)
    assert result.metadata["files"] == 0
    # A run queued for a path that has since become a link reads no file through it either.
    stale = runner.transcripts(tenant, [str(landing / "p2-e01.vtt")], analyse=False)
    (outcome,) = stale.metadata["outcomes"]
    assert outcome["outcome"] == "rejected"
    assert outcome["reason"] == ("p2-e01.vtt: the file is a symbolic link, which a landing folder does not "
                                 "follow; copy the file itself into the folder.")
    assert _rows(tenant, "select count(*) from ai.transcripts") == [(0,)]


def test_the_landing_sensor_requests_one_run_per_waiting_transcript(tenant):
    import dagster as dg

    from pipelines.defs.ai.sensors import transcript_landing_sensor
    from pipelines.defs.partitions import TENANTS_PARTITION
    from pipelines.resources import EarmarkDatabase

    first = _landed(tenant, "p2-e02.srt", FILES[1].read_bytes(), mtime=1_000)
    second = _landed(tenant, "p2-e01.vtt", FILES[0].read_bytes(), mtime=2_000)
    _landed(tenant, "notes.txt", b"not a transcript")
    (transcript_landing_folder(tenant) / "linked.vtt").symlink_to(FILES[0])
    with dg.DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions(TENANTS_PARTITION, [tenant])

        def evaluate() -> list[dg.RunRequest]:
            context = dg.build_sensor_context(instance=instance, resources={"database": EarmarkDatabase()})
            return [r for r in transcript_landing_sensor(context) if r.partition_key == tenant]

        requests = evaluate()
        assert [r.run_config["ops"]["transcripts"]["config"]["paths"] for r in requests] == [
            [str(first)], [str(second)]]
        assert [r.tags["earmark/file"] for r in requests] == ["p2-e02.srt", "p2-e01.vtt"]
        expected = [f"{tenant}:transcripts:{p.name}:{p.stat().st_mtime_ns}:{p.stat().st_size}"
                    for p in (first, second)]
        assert [r.run_key for r in requests] == expected
        assert [r.run_key for r in evaluate()] == expected  # the same files: the same runs, not new ones

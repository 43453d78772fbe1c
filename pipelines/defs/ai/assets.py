"""`transcripts` loads a tenant's transcript files; `transcript_analysis` reads them (sentiment, keywords,
people, brands, ad reads, topics). Both are partitioned by tenant, like `raw_events`."""

import logging
from pathlib import Path

import dagster as dg
from pydantic import Field

from earmark.ai.analysis import analyse_tenant
from earmark.ai.refine import refiner_for
from earmark.ai.transcripts.store import STORED, in_folder, load_files
from earmark.orchestration import file_landed, transcript_landing_folder, waiting_transcripts
from pipelines.defs.partitions import tenant_partitions

ACCEPTED_CHECK = "every_file_accepted"


class TranscriptsConfig(dg.Config):
    paths: list[str] = Field(default_factory=list, description="Transcript files (.vtt, .srt, .json); empty "
                             "means every file waiting in the tenant's landing folder transcripts/.")
    episode_id: str | None = Field(None, description="The catalog episode of the one file given; by default "
                                   "each file's stem is its episode.")


@dg.asset(
    key="transcripts", group_name="ai", partitions_def=tenant_partitions, kinds={"python", "postgres"},
    description="Episode transcripts per tenant (ai.transcripts, ai.transcript_cues): WebVTT, SRT or JSON "
                "segments; a file that cannot be parsed or stored is refused whole with its line and reason "
                "(a landed one moves to failed/ beside its .error.txt), and one another run took is skipped.",
    check_specs=[dg.AssetCheckSpec(ACCEPTED_CHECK, asset="transcripts",
                                   description="No file of the run was refused.")],
)
def transcripts(context: dg.AssetExecutionContext, config: TranscriptsConfig):
    tenant_id = context.partition_key
    landing = transcript_landing_folder(tenant_id)
    paths = [Path(p) for p in config.paths] or waiting_transcripts(tenant_id)
    result = load_files(tenant_id, paths, config.episode_id, landing=landing)
    refused = []
    for path, outcome in zip(paths, result.files, strict=True):
        if outcome.outcome == "vanished":  # another run loaded and moved it: nothing left to do here
            context.log.info(outcome.reason)
            continue
        stored = outcome.outcome in STORED
        if stored:
            context.log.info(f"{outcome.file}: {outcome.outcome} as episode {outcome.episode_id} "
                             f"({outcome.cues} cues)")
        else:
            reason = outcome.reason or f"{outcome.file}: {outcome.outcome}"
            context.log.error(reason)
            refused.append(reason)
        if in_folder(path, landing):
            if stored:
                _move(context.log, path, outcome.file, landing / "processed", None)
            else:
                _move(context.log, path, outcome.file, landing / "failed", reason)
    counts = result.as_json()
    metadata = {k: v for k, v in counts.items() if k != "outcomes"}
    yield dg.MaterializeResult(metadata=metadata | {"tenant_id": tenant_id,
                                                    "outcomes": dg.MetadataValue.json(counts["outcomes"])})
    yield dg.AssetCheckResult(check_name=ACCEPTED_CHECK, passed=not refused,
                              severity=dg.AssetCheckSeverity.ERROR,
                              metadata={"refused": len(refused), "first": refused[0] if refused else ""})


class AnalysisConfig(dg.Config):
    full: bool = Field(False, description="Analyse every transcript again, not only new or changed ones.")


@dg.asset(
    key="transcript_analysis", group_name="ai", partitions_def=tenant_partitions, deps=[transcripts],
    kinds={"python", "scikit-learn", "postgres"},
    description="Per tenant: sentiment per cue and episode (VADER), keywords (TF-IDF) and topics (NMF) over "
                "its corpus, people and catalog brands named, and ad reads with kind, brand, codes, URLs, "
                "position and the campaign's checks (ai.episode_analyses, ai.ad_reads, ai.topics).",
)
def transcript_analysis(context: dg.AssetExecutionContext, config: AnalysisConfig) -> dg.MaterializeResult:
    tenant_id = context.partition_key
    with refiner_for(tenant_id) as refiner:
        summary = analyse_tenant(tenant_id, full=config.full, refiner=refiner)
    context.log.info(f"{summary.episodes} episodes analysed, {summary.ad_reads} ad reads ({summary.refined} "
                     f"refined by an LLM), {summary.topics} topics in {summary.seconds:.2f}s")
    return dg.MaterializeResult(metadata=summary.as_metadata())


def _move(log: logging.Logger, path: Path, name: str, folder: Path, note: str | None) -> None:
    """Out of the landing folder, into processed/ or failed/ (with the reason beside it). A move that fails
    (another run took the file first, the folder cannot be made) is logged and not raised: the file's
    outcome is already in the tables, and the other files of the run must still be moved."""
    try:
        file_landed(path, folder, note)
    except OSError as exc:
        log.warning(f"{name} could not be moved to {folder.name}/ "
                    f"({exc.strerror or exc}); it stays where it is")

"""Ad-read detection: where the ads are in an episode's transcript, and what they say."""

from earmark.ai.adreads.detect import detect
from earmark.ai.adreads.model import AdRead, Context

__all__ = ["AdRead", "Context", "detect"]

"""Ad-read detection: where the ads are in an episode's transcript, and what they say."""

from earmark.ai.adreads.classify import Context
from earmark.ai.adreads.detect import AdRead, detect

__all__ = ["AdRead", "Context", "detect"]

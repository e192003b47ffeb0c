from .citation import Citation
from .issue import OPEN_STATUSES, Conclusion, Issue
from .items import Event, Paper, SocialSignal
from .log import Correction, ReviewComment, TransitionLog
from .tag import Tag

__all__ = [
    "OPEN_STATUSES",
    "Citation",
    "Conclusion",
    "Correction",
    "Event",
    "Issue",
    "Paper",
    "ReviewComment",
    "SocialSignal",
    "Tag",
    "TransitionLog",
]

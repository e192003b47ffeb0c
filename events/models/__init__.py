from .citation import Citation
from .issue import Conclusion, Issue
from .items import Event, Paper, SocialSignal
from .log import Correction, ReviewComment, TransitionLog
from .tag import Tag

__all__ = [
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

"""A first guess at a new source's publisher, title and kind, from its citation label and host.

Editors correct the guess in the admin; an import never overwrites a source that exists.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

#: "Reuters : title", "European Commission：title" — the first colon not part of "://".
LABEL_SPLIT = re.compile(r"\s*(?<![:/])[:：](?!//)\s*")
#: Words that describe the document rather than name its publisher.
DESCRIPTORS = re.compile(
    r"官方公告|官方博客|官方|公告|页面|"
    r"\b(?:newsroom|pdf|official announcement|official blog|official|announcement|press release)\b",
    re.IGNORECASE,
)
OFFICIAL_WORDS = re.compile(r"官方|official|newsroom|press release", re.IGNORECASE)
SOCIAL_HOSTS = ("x.com", "twitter.com")
PAPER_HOSTS = ("arxiv.org",)
ON_PLATFORM = re.compile(r"\s+on\s+(x|twitter)$", re.IGNORECASE)


@dataclass(frozen=True)
class Guess:
    """What a new source is taken to be until an editor corrects it."""

    publisher: str
    title: str
    kind: str


def _host_matches(host: str, domains) -> bool:
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def infer_kind(label: str, url: str) -> str:
    """official (官方公告/official), paper (arXiv), social (x.com/twitter.com), else media."""
    host = (urlsplit(url).hostname or "").lower()
    if OFFICIAL_WORDS.search(label):
        return "official"
    if _host_matches(host, PAPER_HOSTS) or label.lower().startswith("arxiv"):
        return "paper"
    if _host_matches(host, SOCIAL_HOSTS):
        return "social"
    return "media"


def infer_publisher_and_title(label: str, url: str) -> tuple[str, str]:
    """Split "Reuters : Broadcom 与 Google 长期 TPU 协议" into ("Reuters", "Broadcom 与 …")."""
    label = " ".join(label.split())
    parts = LABEL_SPLIT.split(label, maxsplit=1)
    if len(parts) == 2 and parts[0] and parts[1]:
        return parts[0], parts[1]
    on_platform = ON_PLATFORM.search(label)
    if on_platform:  # "Daniel Newman on X": the author is the publisher
        return label[: on_platform.start()], ""
    publisher = " ".join(DESCRIPTORS.sub(" ", label).split())
    if publisher and publisher != label:  # "OpenAI 官方公告" → OpenAI
        return publisher, ""
    first, _space, rest = label.partition(" ")
    host = (urlsplit(url).hostname or "").lower()
    if rest and first.lower() in host.split("."):  # "Google 2026 年 3 月 AI 更新" on blog.google
        return first, rest
    return label, ""


def infer_source(label: str, url: str) -> Guess:
    """The publisher, title and kind to give a source first cited with this label."""
    publisher, title = infer_publisher_and_title(label, url)
    return Guess(publisher=publisher[:200], title=title[:500], kind=infer_kind(label, url))


def is_social_url(url: str) -> bool:
    """True for a post on x.com or twitter.com (the signal's own post)."""
    return _host_matches((urlsplit(url).hostname or "").lower(), SOCIAL_HOSTS)

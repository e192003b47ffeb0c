"""When a cited source is recaptured with different text: which figures lost their support.

verification's source-change path reopens the item; this module tells it why in words an
editor can act on ("“1220 亿美元” was in the page; it now says “120 billion US dollars”")
instead of a bare "the page changed".
"""

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

from .checking import SourceIndex, SourceText, Status, check_figure
from .figures import extract
from .lexicon import context_terms, shares
from .models import ClaimLog
from .services import _default_year, factual_fields

SAME_SPOT = 24


def lost_support(item, old, new) -> list[tuple]:
    """(field, figure, old passage, what the new text says there) for each figure that the old
    capture bore out and the new one does not."""
    old_text, new_text = old.read_text(), new.read_text()
    if old_text is None or new_text is None:
        return []
    before = SourceIndex([SourceText(old.source.url, old_text)])
    after = SourceIndex([SourceText(new.source.url, new_text)])
    lost = []
    for name, text in factual_fields(item):
        for figure in extract(text, default_year=_default_year(item)):
            was = check_figure(name, text, figure, before)
            if was.status != Status.SUPPORTED:
                continue
            if check_figure(name, text, figure, after).status == Status.SUPPORTED:
                continue
            now = _now_says(figure, was.passage, new_text, after.figures[id(after.sources[0])])
            lost.append((name, figure, was.passage, now))
    return lost


def _now_says(figure, passage, new_text: str, figures: list) -> str:
    """The figure the new text has where the old passage was, else the likeliest one."""
    anchor = passage.prefix[-SAME_SPOT:]
    at = new_text.find(anchor) + len(anchor) if anchor and anchor in new_text else -1
    same_kind = [f for f in figures if f.kind == figure.kind and not f.weak]
    if at >= 0:
        for candidate in same_kind:
            if at - 2 <= candidate.start <= at + SAME_SPOT:
                return candidate.text
    terms = context_terms(f"{passage.prefix} {passage.suffix}")
    scored = [
        (shares(terms, context_terms(new_text[max(0, f.start - 80) : f.end + 80])), f)
        for f in same_kind
    ]
    return max(scored, key=lambda pair: pair[0])[1].text if scored else ""


def explain_change(*, item, source, old, new) -> str:
    """The reopen reason's first sentences: each figure the change left without support."""
    sentences = []
    for name, figure, passage, now in lost_support(item, old, new):
        label = item._meta.get_field(name).verbose_name
        if now:
            sentence = _("“%(claim)s”（%(field)s）原来有依据“%(was)s”，页面现在写的是“%(now)s”。")
        else:
            sentence = _("“%(claim)s”（%(field)s）原来有依据“%(was)s”，新版本中找不到。")
        sentences.append(
            sentence % {"claim": figure.text, "field": label, "was": passage.exact, "now": now}
        )
        ClaimLog.objects.create(
            content_type=ContentType.objects.get_for_model(type(item)),
            object_id=item.pk,
            field=name,
            text=figure.text[:200],
            action=ClaimLog.Action.DRIFTED,
            note=sentences[-1],
        )
    return "".join(sentences)

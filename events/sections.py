"""The kinds of ranked item an issue holds (events, social signals, papers), in one registry.

Everything that treats the kinds alike reads this table: the daily-format parser, importer and
writer, the page, the email, search, filters, the issue page's inlines, the gate, the review,
four eyes and the intake desk. What only a kind can say lives with it: its model (and the
citation's foreign key to it), its page fragment (`template`), the parser's `_<key>` builder
and its admin page.

No model is imported here: the models read their keys from these entries, so each entry names
its model and resolves it once the app registry is ready.
"""

from dataclasses import dataclass

from django.apps import apps
from django.utils.translation import gettext_lazy as _

ZH = "zh-hans"
EN = "en"


@dataclass(frozen=True)
class Section:
    """One kind of ranked item and everything said about it outside its model."""

    #: The anchor prefix (#event-1), the citation's foreign key, the search and filter value.
    key: str
    #: The issue's related name for the items and the section's key in the daily format.
    relation: str
    model_name: str
    #: What readers pick in filters and the inbox's "add as …".
    title: object
    #: The section heading in each language; `{n}` is the number of items.
    heading: dict
    #: The label of the sources line in each language.
    sources_label: dict
    #: The daily format's fields, in the order the writer emits them.
    format_fields: tuple
    #: Labels of the fields only this kind has, per language; the first is the one written.
    #: The shared ones (verification, take, sources) are in events/dailyformat/labels.py.
    field_labels: dict
    #: The model field naming the item, and the one after "：" ("" when the name says all).
    name_field: str
    headline_field: str
    #: The text fields searched, the first one being the item's title line.
    searched_fields: tuple
    #: The fields an item is recognised by when intake looks for near copies: the title
    #: parts, joined by a space, then the body.
    fingerprint_fields: tuple
    #: The inline's fields on the issue page.
    inline_fields: tuple
    #: The email's fields: `email_meta` as short lines, `email_fields` as Markdown blocks;
    #: `email_link` is the field the email's title links to.
    email_fields: tuple
    email_meta: tuple = ()
    email_link: str = ""
    #: Where the section stands on the page: see TEXT_POSITIONS for the issue's own texts.
    position: int = 0
    #: The template fragment of one item on the public page.
    template: str = ""
    #: Dated items must fall inside the coverage window (or be marked still relevant).
    dated: bool = False

    @property
    def model(self):
        return apps.get_model("events", self.model_name)

    @property
    def citation_field(self) -> str:
        return self.key


_SOURCES = {ZH: "来源", EN: "Sources"}
_SOURCES_TRUSTED = {ZH: "可信来源", EN: "Sources"}

EVENT = Section(
    key="event",
    relation="events",
    model_name="Event",
    title=_("大事件"),
    heading={ZH: "今日 Top {n} 大事件", EN: "Top {n} events"},
    sources_label=_SOURCES_TRUSTED,
    # 验证状态 is the seed's for social signals only; events and papers accept it so that no
    # note is lost.
    format_fields=(
        "what_happened",
        "key_facts",
        "why_it_matters",
        "implications",
        "verification_note",
        "sources",
    ),
    field_labels={
        "what_happened": {ZH: ["发生了什么"], EN: ["What happened"]},
        "key_facts": {ZH: ["关键信息"], EN: ["Key facts"]},
        "why_it_matters": {ZH: ["为什么重要"], EN: ["Why it matters"]},
        "implications": {ZH: ["对产业/企业的启发"], EN: ["Implications"]},
    },
    name_field="title",
    headline_field="",
    searched_fields=(
        "title",
        "what_happened",
        "key_facts",
        "why_it_matters",
        "implications",
        "verification_note",
    ),
    fingerprint_fields=("title", "what_happened"),
    inline_fields=(
        "rank",
        "title",
        "occurred_on",
        "still_relevant",
        "what_happened",
        "key_facts",
        "why_it_matters",
        "implications",
    ),
    email_fields=("what_happened", "key_facts", "why_it_matters", "implications"),
    position=30,
    template="events/_item_event.html",
    dated=True,
)

SIGNAL = Section(
    key="signal",
    relation="signals",
    model_name="SocialSignal",
    title=_("社交信号"),
    heading={ZH: "X 平台高信号观点", EN: "Social signals"},
    sources_label=_SOURCES,
    format_fields=("signal_type", "verification_note", "one_line_take", "sources"),
    field_labels={"signal_type": {ZH: ["类型"], EN: ["Type"]}},
    name_field="handle",
    headline_field="headline",
    searched_fields=("headline", "handle", "signal_type", "one_line_take", "verification_note"),
    fingerprint_fields=("headline", "one_line_take"),
    inline_fields=(
        "rank",
        "platform",
        "handle",
        "headline",
        "post_url",
        "signal_type",
        "verification_note",
        "one_line_take",
    ),
    email_fields=("one_line_take",),
    email_meta=("signal_type", "verification_note"),
    position=50,
    template="events/_item_signal.html",
)

PAPER = Section(
    key="paper",
    relation="papers",
    model_name="Paper",
    title=_("论文"),
    heading={ZH: "前沿研究速递", EN: "Research"},
    sources_label=_SOURCES,
    format_fields=(
        "what_it_does",
        "what_is_new",
        "applications",
        "verification_note",
        "one_line_take",
        "sources",
    ),
    field_labels={
        "what_it_does": {ZH: ["做了什么"], EN: ["What it does"]},
        "what_is_new": {ZH: ["新在哪里"], EN: ["What is new"]},
        "applications": {ZH: ["潜在应用方向"], EN: ["Applications"]},
    },
    name_field="name",
    headline_field="headline",
    searched_fields=(
        "headline",
        "name",
        "what_it_does",
        "what_is_new",
        "applications",
        "one_line_take",
        "verification_note",
    ),
    fingerprint_fields=("name", "headline", "what_it_does"),
    inline_fields=(
        "rank",
        "name",
        "headline",
        "arxiv_id",
        "url",
        "what_it_does",
        "what_is_new",
        "applications",
        "one_line_take",
    ),
    email_fields=("what_it_does", "what_is_new", "applications", "one_line_take"),
    email_link="url",
    position=60,
    template="events/_item_paper.html",
)

#: Every kind, in page order.
SECTIONS = tuple(sorted((EVENT, SIGNAL, PAPER), key=lambda section: section.position))
BY_KEY = {section.key: section for section in SECTIONS}
BY_RELATION = {section.relation: section for section in SECTIONS}
#: The issue's own texts, placed among the item sections by position.
TEXT_POSITIONS = {"overview": 10, "conclusions": 20, "business": 40}


def page_order() -> tuple:
    """Text part keys and item sections together, in the order the issue reads."""
    parts = [*TEXT_POSITIONS.items(), *((s, s.position) for s in SECTIONS)]
    return tuple(part for part, _position in sorted(parts, key=lambda pair: pair[1]))


def models() -> tuple:
    """The item models, in page order."""
    return tuple(section.model for section in SECTIONS)


def for_model(model) -> Section:
    """The section of an item model (or of an item's class)."""
    return BY_KEY[model.section]

"""The section and field labels readers see, in the issue's language (web page, email, feeds).

They are the daily format's own headings and field labels (events/dailyformat/labels.py and
events/sections.py), so a reader sees the words an analyst writes, plus the page's own words.
"""

from ..dailyformat import labels as daily
from ..sections import EN, EVENT, SIGNAL, ZH, page_order


def _labels(language: str) -> dict:
    fields = {name: names[language][0] for name, names in daily.FIELDS.items()}
    return {
        "brand": daily.BRAND[language],
        "date": daily.DATE_LABEL[language],
        "coverage": daily.COVERAGE[language],
        **{key: heading[language] for key, heading in daily.SECTIONS.items()},
        **fields,
        # Events cite "trusted sources" (可信来源), the other kinds plain "sources" (来源).
        "sources": EVENT.sources_label[language],
        "item_sources": SIGNAL.sources_label[language],
        "type": fields["signal_type"],
        "verification": fields["verification_note"],
        "take": fields["one_line_take"],
        "corrections": {ZH: "更正", EN: "Corrections"}[language],
        "colon": daily.COLON[language],
    }


SECTION_LABELS = {ZH: _labels(ZH), EN: _labels(EN)}


def body_parts(issue, labels, row=lambda kind, item: item) -> list[dict]:
    """What follows the conclusions, in page order: the business analysis (its key alone) and
    each item section with its heading, its sources label, its fragment and its items."""
    language = EN if issue.language == EN else ZH
    parts = []
    for part in page_order():
        if isinstance(part, str):
            if part not in ("overview", "conclusions"):
                parts.append({"key": part})
            continue
        items = [row(part, item) for item in getattr(issue, part.relation).all()]
        parts.append(
            {
                "key": part.relation,
                "heading": labels[part.relation].format(n=len(items)),
                "sources_label": part.sources_label[language],
                "template": part.template,
                "items": items,
            }
        )
    return parts

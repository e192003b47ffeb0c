"""The words the PDF and the share images add to the page's own labels, in the issue's language."""

LABELS = {
    "zh-hans": {
        "published": "发布于",
        "corrected": "最近更正",
        "online": "在线阅读",
        "sources_note": "脚注列出每条来源的完整网址。",
        "more": "全文、来源与核实记录见",
        "page": "页",
    },
    "en": {
        "published": "Published",
        "corrected": "Last corrected",
        "online": "Read online",
        "sources_note": "The footnotes give each source's full address.",
        "more": "Full issue, sources and verification at",
        "page": "page",
    },
}


def edition_labels(language: str) -> dict:
    return LABELS["en" if language == "en" else "zh-hans"]

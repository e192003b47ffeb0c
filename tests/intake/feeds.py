"""Feed documents written for the tests: RSS 2.0, RDF, Atom and JSON Feed."""

import json
from email.utils import format_datetime
from xml.sax.saxutils import escape


def rss(items, *, title="Test outlet", encoding="utf-8", declare=True, version="2.0") -> bytes:
    """items: dicts of title, link, description, date (aware datetime), guid."""
    parts = [f'<?xml version="1.0" encoding="{encoding}"?>' if declare else ""]
    parts.append(f'<rss version="{version}"><channel><title>{escape(title)}</title>')
    parts.append("<link>https://outlet.example.com/</link><description>d</description>")
    for item in items:
        parts.append("<item>")
        parts.append(f"<title>{escape(item['title'])}</title>")
        if "link" in item:
            parts.append(f"<link>{escape(item['link'])}</link>")
        if "guid" in item:
            permalink = "true" if item.get("permalink") else "false"
            parts.append(f'<guid isPermaLink="{permalink}">{escape(item["guid"])}</guid>')
        parts.append(f"<description>{escape(item.get('description', ''))}</description>")
        if "date" in item:
            parts.append(f"<pubDate>{format_datetime(item['date'])}</pubDate>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode(encoding)


def rdf(items, *, title="RDF outlet") -> bytes:
    entries = "".join(
        f'<item rdf:about="{escape(i["link"])}"><title>{escape(i["title"])}</title>'
        f"<link>{escape(i['link'])}</link><description>{escape(i.get('description', ''))}"
        f"</description><dc:date>{i['date'].isoformat()}</dc:date></item>"
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<channel rdf:about="https://rdf.example.com/"><title>{title}</title>'
        "<link>https://rdf.example.com/</link><description>d</description></channel>"
        f"{entries}</rdf:RDF>"
    ).encode()


def atom(items, *, title="Atom outlet") -> bytes:
    entries = []
    for i in items:
        links = f'<link rel="alternate" href="{escape(i["link"])}"/>'
        if "canonical" in i:
            links += f'<link rel="canonical" href="{escape(i["canonical"])}"/>'
        entries.append(
            f"<entry><title>{escape(i['title'])}</title>{links}"
            f"<id>{escape(i.get('guid', i['link']))}</id>"
            f"<updated>{i['date'].isoformat()}</updated>"
            f'<summary type="html">{escape(i.get("description", ""))}</summary></entry>'
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{title}</title><id>urn:atom-outlet</id><updated>2026-04-08T00:00:00Z</updated>"
        f"{''.join(entries)}</feed>"
    ).encode()


def json_feed(items, *, title="JSON outlet") -> bytes:
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": title,
            "items": [
                {
                    "id": i.get("guid", i["link"]),
                    "url": i["link"],
                    "title": i["title"],
                    "content_html": i.get("description", ""),
                    "date_published": i["date"].isoformat(),
                }
                for i in items
            ],
        },
        ensure_ascii=False,
    ).encode()

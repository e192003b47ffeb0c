"""The share images as a chat app or a crawler gets them: a 1080 px long image trimmed to its
content, and a 1200×630 card that the issue page names as its og:image."""

import io

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from PIL import Image

from editions import services
from editions.images import CANVAS, LONG_MAX_HEIGHT, LONG_WIDTH, share_context
from editions.models import Edition
from events.models import Issue

from ..factories import publishable_issue

pytestmark = pytest.mark.django_db


def test_the_long_image_and_the_card_have_their_sizes_and_the_page_shares_the_card(
    client, sample_issue, real_renderers
):
    editions = services.generate(
        issue_id=sample_issue.pk, kinds=[Edition.Kind.LONG_IMAGE, Edition.Kind.CARD]
    )
    assert [e.state for e in editions] == [Edition.State.READY] * 2, [e.error for e in editions]
    long_image, card = (Image.open(e.file.path).convert("RGB") for e in editions)

    assert card.size == (1200, 630)
    assert long_image.width == LONG_WIDTH
    # Overview, three conclusions and five events: taller than a screen, trimmed well short of
    # the window it was taken in, and its last row is content (the footer), not the canvas.
    assert 1500 < long_image.height < LONG_MAX_HEIGHT
    last_row = {long_image.getpixel((x, long_image.height - 1)) for x in range(0, 1080, 60)}
    assert CANVAS not in last_row
    assert (editions[0].width, editions[0].height) == long_image.size

    html = client.get(reverse("events:issue", args=["2026-04-08"])).content.decode()
    og_image = html.split('<meta property="og:image" content="', 1)[1].split('"', 1)[0]
    assert "edition-card.png?v=" in og_image
    response = client.get(og_image.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    served = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert served.size == (1200, 630)
    assert '"image": ["http://127.0.0.1:8000/issues/2026-04-08/edition-card.png?v=' in html


def test_the_share_templates_escape_issue_text(db):
    issue = publishable_issue(published=True, title="<img src=x onerror=alert(1)>标题")
    full = Issue.objects.for_issue_page().get(pk=issue.pk)
    for template in ("editions/share_long.html", "editions/share_card.html"):
        html = render_to_string(template, share_context(full))
        assert "<img" not in html and "&lt;img src=x" in html
        assert "default-src 'none'" in html  # nothing is fetched while it is drawn

"""The registry of item kinds agrees with the models, templates and labels it stands for."""

import pytest
from django.template.loader import get_template

from events import sections
from events.admin.inlines import ITEM_INLINES
from events.dailyformat import labels
from events.models import Citation, Issue
from events.rendering.labels import SECTION_LABELS
from events.search import SEARCHED_FIELDS

from ..factories import EventFactory, IssueFactory, PaperFactory, SocialSignalFactory


@pytest.mark.parametrize("kind", sections.SECTIONS, ids=lambda kind: kind.key)
def test_each_kind_names_its_model_fields_and_fragment(kind):
    model = kind.model
    assert model.section == kind.key
    assert model._meta.default_related_name == kind.relation
    assert Citation._meta.get_field(kind.citation_field).related_model is model
    named = {
        kind.name_field,
        *filter(None, [kind.headline_field, kind.email_link]),
        *kind.searched_fields,
        *kind.inline_fields,
        *kind.email_fields,
        *kind.email_meta,
        *kind.fingerprint_fields,
        *(name for name in kind.format_fields if name != "sources"),
    }
    for name in named:
        model._meta.get_field(name)  # raises FieldDoesNotExist for a misspelt name
    assert get_template(kind.template)
    for language in (sections.ZH, sections.EN):
        assert SECTION_LABELS[language][kind.relation] == kind.heading[language]
        for name in kind.format_fields:
            assert labels.field_label(name, language, kind.relation)


def test_the_kinds_read_in_page_order_with_the_business_analysis_between_events_and_signals():
    order = [part if isinstance(part, str) else part.key for part in sections.page_order()]
    assert order == ["overview", "conclusions", "event", "business", "signal", "paper"]
    assert [inline.model for inline in ITEM_INLINES] == list(sections.models())
    assert {kind.key for kind in sections.SECTIONS} <= set(SEARCHED_FIELDS)


@pytest.mark.django_db
def test_an_issue_lists_its_items_kind_by_kind_in_rank_order():
    issue = IssueFactory()
    paper = PaperFactory(issue=issue, rank=1)
    second = EventFactory(issue=issue, rank=2)
    first = EventFactory(issue=issue, rank=1)
    signal = SocialSignalFactory(issue=issue, rank=1)
    assert Issue.objects.get(pk=issue.pk).items() == [first, second, signal, paper]

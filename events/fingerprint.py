"""A hash of everything readers see in an issue, to tell whether it changed after approval."""

import hashlib
import json

from django.forms.models import model_to_dict

from .sections import SECTIONS

IGNORED_FIELDS = {
    "id",
    "version",
    "updated_at",
    "created_at",
    "created_by",
    "verified_at",
    "verified_by",
    "evidence",
    "issue",
    "tags",
}


def _row(instance) -> dict:
    # Excluded up front, not filtered after: model_to_dict would query each item's evidence.
    data = model_to_dict(instance, exclude=IGNORED_FIELDS)
    if hasattr(instance, "verification_status"):
        # Not an editable form field, so model_to_dict leaves it out; readers see it.
        data["verification_status"] = instance.verification_status
    if hasattr(instance, "tags"):
        data["tags"] = sorted(tag.pk for tag in instance.tags.all())
    if hasattr(instance, "citations"):
        data["citations"] = [(c.position, c.source_id, c.label) for c in instance.citations.all()]
    return data


def content_fingerprint(issue) -> str:
    """sha256 over the issue's text, conclusions, items, tags and citations."""
    from .models import Issue

    issue = Issue.objects.with_items().get(pk=issue.pk)
    content = {
        "issue": {
            k: getattr(issue, k)
            for k in (
                "date",
                "title",
                "language",
                "coverage_start",
                "coverage_end",
                "coverage_note",
                "overview",
                "business_analysis",
            )
        },
        "conclusions": [(c.position, c.text) for c in issue.conclusions.all()],
        **{
            kind.relation: [_row(item) for item in getattr(issue, kind.relation).all()]
            for kind in SECTIONS
        },
    }
    encoded = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()

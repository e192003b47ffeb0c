"""The evidence policy as configured in settings, checked at start-up."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from verification import policy
from verification.checks import verification_policy_check
from verification.models import VerificationStatus as V


def test_the_shipped_policy_passes_the_system_check():
    assert verification_policy_check(None) == []


def test_the_rules_in_force_are_the_policy_defaults_until_settings_replace_them(settings):
    assert "RULES" not in settings.AIDAILY_VERIFICATION
    assert policy.configured_rules() == policy.DEFAULT_RULES
    # A signal's verdict needs evidence beyond the post; events must have an official source.
    assert policy.DEFAULT_RULES["beyond_the_post"]["sections"] == ["signal"]
    assert policy.DEFAULT_RULES["official_or_two_publishers"]["outcomes"] == [V.VERIFIED]
    relaxed = {"public_note": {"outcomes": ["verified"]}}
    settings.AIDAILY_VERIFICATION = {**settings.AIDAILY_VERIFICATION, "RULES": relaxed}
    assert policy.configured_rules() == relaxed


def test_a_misspelt_default_rule_would_stop_the_server_starting(monkeypatch):
    monkeypatch.setitem(policy.DEFAULT_RULES, "public_notes", {"outcomes": ["verified"]})
    assert [error.id for error in verification_policy_check(None)] == ["verification.E001"]


@pytest.mark.parametrize(
    ("rules", "error_id"),
    [
        ({"public_notes": {"outcomes": ["verified"]}}, "verification.E001"),
        ({"public_note": {"outcomes": ["verifed"]}}, "verification.E002"),
    ],
)
def test_a_misspelt_rule_or_outcome_stops_the_server_starting(settings, rules, error_id):
    settings.AIDAILY_VERIFICATION = {**settings.AIDAILY_VERIFICATION, "RULES": rules}
    assert [error.id for error in verification_policy_check(None)] == [error_id]
    with pytest.raises(SystemCheckError):
        call_command("check")

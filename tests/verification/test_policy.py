"""The evidence policy as configured in settings, checked at start-up."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from verification.checks import verification_policy_check


def test_the_shipped_policy_passes_the_system_check():
    assert verification_policy_check(None) == []


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

"""System checks: a misspelt rule or outcome in AIDAILY_VERIFICATION fails at start-up."""

from django.core.checks import Error, register

from .models import VerificationStatus
from .policy import CHECKS, declared_rules


@register()
def verification_policy_check(app_configs, **kwargs):
    """Every configured rule exists and names real outcomes."""
    errors = []
    for name, rule in declared_rules().items():
        if name not in CHECKS:
            errors.append(
                Error(
                    f"Unknown verification rule {name!r}.",
                    hint=f"Known rules: {', '.join(sorted(CHECKS))}.",
                    id="verification.E001",
                )
            )
        unknown = set(rule.get("outcomes", ())) - set(VerificationStatus.values)
        if unknown:
            errors.append(
                Error(
                    f"Verification rule {name!r} names unknown outcomes {sorted(unknown)}.",
                    id="verification.E002",
                )
            )
    return errors

"""Query methods for subscribers and deliveries, named by meaning."""

from django.db import models
from django.db.models import Count


class SubscriberQuerySet(models.QuerySet):
    def active(self):
        """Subscribers who confirmed and still want the digest."""
        return self.filter(status="active")

    def with_email(self, email: str):
        """The subscriber with this address, whatever its case."""
        return self.filter(email__iexact=(email or "").strip())


class DeliveryQuerySet(models.QuerySet):
    def counts_by_status(self) -> dict[str, int]:
        """{status: count} for these deliveries, in one query."""
        rows = self.order_by().values_list("status").annotate(n=Count("pk"))
        return dict(rows)

    def expired(self, now):
        """Deliveries whose worker's lease ran out before it finished."""
        return self.filter(status__in=["claimed", "sending"], lease_expires_at__lt=now)

"""On PostgreSQL, search is served by the pg_trgm indexes of migration 0003, Chinese included."""

import pytest
from django.db import connection

from events.models import Conclusion, Event, Issue, Paper, SocialSignal
from events.search import SEARCHED_FIELDS, _matching

pytestmark = pytest.mark.django_db

MODELS = {
    "event": Event,
    "signal": SocialSignal,
    "paper": Paper,
    "issue": Issue,
    "conclusion": Conclusion,
}


@pytest.mark.parametrize("kind", list(MODELS))
@pytest.mark.parametrize("term", ["多吉瓦级", "Broadcom"])
def test_search_query_uses_the_trigram_index(postgres, kind, term):
    queryset = _matching(MODELS[kind].objects.order_by(), SEARCHED_FIELDS[kind], [term])
    sql, params = queryset.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        # A nearly empty test table is cheaper to scan: leave the planner only bitmap scans.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_indexonlyscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"{MODELS[kind]._meta.db_table}_search_trgm" in plan

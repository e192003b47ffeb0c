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
    queryset = _matching(MODELS[kind].objects.all(), SEARCHED_FIELDS[kind], [term])
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # an empty table would be scanned
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"{MODELS[kind]._meta.db_table}_search_trgm" in plan

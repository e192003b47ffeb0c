"""Search is served by the pg_trgm indexes the models declare, on PostgreSQL, Chinese included;
SQLite has no such index and still migrates the tables that declare one."""

import pytest
from django.db import connection, models
from django.db.migrations.loader import MigrationLoader

from events.models import Conclusion, Event, Issue, Paper, SocialSignal
from events.search import SEARCHED_FIELDS, _matching

from ...factories import EventFactory

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
    (declared,) = MODELS[kind]._meta.indexes
    assert declared.name in plan


@pytest.mark.django_db(transaction=True)
def test_sqlite_rebuilds_a_table_that_declares_a_trigram_index():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite rebuilds a table to alter a column; PostgreSQL alters it in place")
    # What a later migration altering an Event column does, with the migrations' own models.
    event_model = MigrationLoader(connection).project_state().apps.get_model("events", "Event")
    assert event_model._meta.indexes  # the state knows the index
    old = event_model._meta.get_field("title")
    wider = models.CharField(max_length=old.max_length + 1)
    wider.set_attributes_from_name("title")
    wider.model = event_model
    with connection.schema_editor() as editor:
        editor.alter_field(event_model, old, wider)  # SQLite rebuilds the table and its indexes
        editor.alter_field(event_model, wider, old)

    event = EventFactory(title="Broadcom")
    assert Event.objects.get(pk=event.pk).title == "Broadcom"

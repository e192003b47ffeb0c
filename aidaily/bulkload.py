"""Inserting many new rows at once: PostgreSQL's COPY where it runs, `bulk_create` elsewhere.

`bulk_create` builds one INSERT with a placeholder per value, and Django and psycopg turn every
value into SQL text: for a feed's fifty entries that costs more than the database's own work.
COPY streams the rows instead (psycopg's `Cursor.copy`). Values are prepared the way the ORM
prepares them for an INSERT (`Field.pre_save`, `Field.get_db_prep_save`), so what is stored is
the same; like `bulk_create`, no `save()` runs and no signal is sent.

Primary keys: `load(..., with_pks=True)` first takes ids from the table's sequence in one query
and sets them on the objects, for callers that point other new rows at them (bulk_create's
RETURNING does that on the fallback).
"""

from django.db import connections, router


def load(model, objs: list, *, with_pks: bool = False) -> list:
    """Insert the unsaved `objs` of `model`; returns them (with their ids when `with_pks`)."""
    if not objs:
        return objs
    db = connections[router.db_for_write(model)]
    if db.vendor != "postgresql":
        return model.objects.bulk_create(objs, batch_size=500)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if with_pks:
        _take_ids(db, model, objs)
        fields = [model._meta.pk, *fields]
    table = db.ops.quote_name(model._meta.db_table)
    columns = ", ".join(db.ops.quote_name(f.column) for f in fields)
    statement = f"COPY {table} ({columns}) FROM STDIN"
    with db.cursor() as cursor, db.wrap_database_errors, cursor.cursor.copy(statement) as copy:
        for obj in objs:
            copy.write_row(
                [f.get_db_prep_save(f.pre_save(obj, add=True), connection=db) for f in fields]
            )
    for obj in objs:
        obj._state.adding, obj._state.db = False, db.alias
    return objs


def _take_ids(db, model, objs) -> None:
    pk = model._meta.pk
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, len(objs)],
        )
        for obj, (value,) in zip(objs, cursor.fetchall(), strict=True):
            setattr(obj, pk.attname, value)

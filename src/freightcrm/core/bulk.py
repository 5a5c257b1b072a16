"""Fast bulk loading for seeding and index rebuilds: COPY on PostgreSQL, batched executemany on SQLite.

`bulk_create` builds a model instance per row and a parameter list per batch; at millions of rows
that is most of the time spent. These helpers take plain tuples in column order and hand them to
the database's fastest path. They bypass model validation, signals and history on purpose: use
them only for rows that a service or generator has already made valid.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models

SQLITE_BATCH = 5_000
SORT_CACHE_KIB = 1_048_576  # 1 GiB of SQLite page cache while a refilled table's indexes are built


def table_and_columns(model: type[models.Model], fields: Sequence[str]) -> tuple[str, list[str]]:
    """The database table of `model` and the column names of its `fields` (attnames or names)."""
    opts = model._meta
    columns = []
    for name in fields:
        try:
            field = opts.get_field(name)
        except FieldDoesNotExist:  # an attname: `customer_id` for the foreign key `customer`
            field = opts.get_field(name.removesuffix("_id"))
        assert isinstance(field, models.Field) and field.column
        columns.append(field.column)
    return opts.db_table, columns


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]], *, table: str = ""
) -> int:
    """Insert `rows` (tuples of database-ready values in `fields` order) into `model`'s table (or
    into `table`, a staging copy of it).

    Returns the number of rows written. Runs in the caller's transaction.
    """
    model_table, columns = table_and_columns(model, fields)
    table = table or model_table
    quote = connection.ops.quote_name
    column_list = ", ".join(quote(column) for column in columns)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg 3 cursor under Django's wrapper
            with raw.copy(f"COPY {quote(table)} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
            return written
        placeholders = ", ".join(["%s"] * len(columns))
        # Table and column names come from model metadata, never from input.
        sql = f"INSERT INTO {quote(table)} ({column_list}) VALUES ({placeholders})"  # noqa: S608
        iterator = iter(rows)
        while batch := list(islice(iterator, SQLITE_BATCH)):
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


def _primary_key_columns(model: type[models.Model]) -> list[str]:
    pk = model._meta.pk
    assert pk is not None
    fields = getattr(pk, "fields", None) or [pk]  # a CompositePrimaryKey lists its fields
    return [field.column for field in fields]


@contextmanager
def refilling_table(
    model: type[models.Model],
) -> Iterator[Callable[[Sequence[str], Iterable[Sequence[Any]]], int]]:
    """Empty a table and fill it with many rows, building its indexes once at the end instead of
    row by row. Only for tables that nothing references (an index, a cache): PostgreSQL truncates.

    Yields `write(fields, rows)`, to be called once per batch. A B-tree that grows by random
    inserts touches a different page for nearly every row once it outgrows the cache; sorting
    everything once is many times faster at millions of rows. PostgreSQL: drop the table's
    constraints and indexes, COPY each batch, then recreate them from their own definitions.
    SQLite (whose primary key cannot be dropped): load a temporary table without indexes, copy it
    over in primary-key order, and rebuild the other indexes after. Use it inside a transaction,
    so that a failure leaves the table as it was.
    """
    table = model._meta.db_table
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending on the table
            cursor.execute(f"TRUNCATE {quote(table)}")
            cursor.execute(
                "select conname, pg_get_constraintdef(oid) from pg_constraint "
                "where conrelid = %s::regclass and contype in ('p', 'u', 'f') order by contype desc",
                [table],
            )
            constraints = cursor.fetchall()
            for name, _definition in constraints:
                cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
            cursor.execute("select indexname, indexdef from pg_indexes where tablename = %s", [table])
            indexes = cursor.fetchall()
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {quote(name)}")
            yield lambda fields, rows: insert_rows(model, fields, rows)
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            for name, definition in reversed(constraints):  # primary key first, then the others
                cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
            for _name, definition in indexes:
                cursor.execute(definition)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            return
        # Sorting tens of millions of keys spills to temporary files unless the page cache may
        # grow: allow SORT_CACHE_KIB for this load, then go back to the connection's setting.
        cursor.execute("PRAGMA cache_size")
        cache_size = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{SORT_CACHE_KIB}")
        cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608
        cursor.execute(
            "select name, sql from sqlite_master where type = 'index' and tbl_name = %s and sql is not null",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
        staging = quote(f"{table}_loading")
        cursor.execute(f"CREATE TEMP TABLE {staging} AS SELECT * FROM {quote(table)} WHERE 0")  # noqa: S608
        yield lambda fields, rows: insert_rows(model, fields, rows, table=f"{table}_loading")
        order = ", ".join(quote(column) for column in _primary_key_columns(model))
        cursor.execute(f"INSERT INTO {quote(table)} SELECT * FROM {staging} ORDER BY {order}")  # noqa: S608
        cursor.execute(f"DROP TABLE {staging}")
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")

"""Fast bulk loading for seeding and index rebuilds: COPY on PostgreSQL, batched executemany on SQLite.

`bulk_create` builds a model instance per row and a parameter list per batch; at millions of rows
that is most of the time spent. These helpers take plain tuples in column order and hand them to
the database's fastest path. They bypass model validation, signals and history on purpose: use
them only for rows that a service or generator has already made valid.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models

SQLITE_BATCH = 5_000


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


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert `rows` (tuples of database-ready values in `fields` order) into `model`'s table.

    Returns the number of rows written. Runs in the caller's transaction.
    """
    table, columns = table_and_columns(model, fields)
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

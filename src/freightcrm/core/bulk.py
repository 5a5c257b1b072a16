"""Fast bulk loading for seeding and index rebuilds: COPY on PostgreSQL, batched executemany on SQLite.

`bulk_create` builds a model instance per row and a parameter list per batch; at millions of rows
that is most of the time spent. These helpers take plain tuples in column order and hand them to
the database's fastest path. They bypass model validation, signals and history on purpose: use
them only for rows that a service or generator has already made valid.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from itertools import islice
from typing import Any, Protocol

from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models, transaction

from freightcrm.core.fields import BlindIndexField, EncryptedTextField
from freightcrm.core.models import CodeSequence

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
def sqlite_bulk_settings(*, cache_kib: int, checkpoint_pages: int = 0) -> Iterator[None]:
    """On SQLite, for the block: let this connection's page cache grow to `cache_kib` KiB (index
    pages that stay cached are not read again for every row a bulk load adds) and, with
    `checkpoint_pages`, copy the write-ahead log back into the database only once it holds that many
    pages (each copy rewrites the pages of every index touched; after every batch, that was a
    seventh of an import's time). Then back to the connection's own settings; elsewhere, nothing."""
    if connection.vendor != "sqlite" or not cache_kib:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        cache_size = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA wal_autocheckpoint")
        checkpoint = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = -{int(cache_kib)}")
        if checkpoint_pages:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {int(checkpoint_pages)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {cache_size}")
            cursor.execute(f"PRAGMA wal_autocheckpoint = {checkpoint}")


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
        with sqlite_bulk_settings(cache_kib=SORT_CACHE_KIB):
            cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608
            cursor.execute(
                "select name, sql from sqlite_master "
                "where type = 'index' and tbl_name = %s and sql is not null",
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


class DatetimeWriter(Protocol):
    def datetime_text(self, value: dt.datetime) -> str: ...


class DatabaseClock:
    """Aware datetimes as the text Django stores: naive UTC on SQLite, UTC with `+00:00` for COPY."""

    def __init__(self, vendor: str = "") -> None:
        self.suffix = "+00:00" if (vendor or connection.vendor) == "postgresql" else ""
        self._last: tuple[dt.datetime | None, str] = (None, "")

    def datetime_text(self, value: dt.datetime) -> str:
        # A batch stamps every row with the same moment: spell it once.
        last, text = self._last
        if value is not last:
            text = value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ") + self.suffix
            self._last = (value, text)
        return text


Converter = Callable[[models.Model, Any], Any]


def _converter(model_field: models.Field[Any, Any], clock: DatetimeWriter) -> Converter | None:
    """How a value of `model_field` becomes what the database driver is given, or None to pass it
    as it is. The result is what Django's own `get_db_prep_save` would give on SQLite, and text that
    PostgreSQL's COPY reads as the same value; encrypted fields and blind indexes use the fields' own
    `pre_save`, so ciphertexts are bound to table, row and field exactly as a `save()` binds them."""
    if isinstance(model_field, EncryptedTextField | BlindIndexField):
        return lambda instance, _value: model_field.pre_save(instance, True)
    if isinstance(model_field, models.DateTimeField):
        return lambda _instance, value: (
            value if value is None or isinstance(value, str) else clock.datetime_text(value)
        )
    if isinstance(model_field, models.DateField):
        return lambda _instance, value: value.isoformat() if value else None
    if isinstance(model_field, models.DecimalField):
        return lambda _instance, value: None if value is None else str(value)
    if isinstance(model_field, models.JSONField):
        return lambda _instance, value: json.dumps(value)
    if isinstance(model_field, models.UUIDField):
        return lambda _instance, value: value.hex if value else None
    return None


class TableShape:
    """The columns of one seeded table and how a planned instance becomes a row for them.

    Every concrete field is written except the database-assigned primary key (unless `write_pk`:
    customer ids are reserved up front, see `reserve_ids`) and those named in `leading`, which the
    writer puts first (codes only it can allocate). A field added to the model later is written with
    the default the instance got, so the seed keeps working.
    """

    def __init__(
        self,
        model: type[models.Model],
        clock: DatetimeWriter,
        *,
        leading: Sequence[str] = (),
        write_pk: bool = False,
    ) -> None:
        self.model = model
        clock = clock or DatabaseClock()
        self.leading = tuple(leading)
        pk = model._meta.pk
        assert pk is not None
        written = [
            model_field
            for model_field in model._meta.concrete_fields
            if model_field.attname not in self.leading
            and not (model_field is pk and isinstance(model_field, models.AutoField | models.BigAutoField))
        ]
        if write_pk and pk not in written:
            written.insert(0, pk)
        attnames = [model_field.attname for model_field in written]
        self.fields = (*self.leading, *attnames)
        self._values = operator.itemgetter(*attnames)
        self._converted = [
            (position, convert)
            for position, model_field in enumerate(written)
            if (convert := _converter(model_field, clock)) is not None
        ]
        # Fields with choices are often set from enum members (TextChoices): written as plain values.
        self._choices = [position for position, model_field in enumerate(written) if model_field.choices]

    def row(self, instance: models.Model) -> tuple[Any, ...]:
        values = list(self._values(instance.__dict__))
        for position, convert in self._converted:
            values[position] = convert(instance, values[position])
        for position in self._choices:
            value = values[position]
            if isinstance(value, enum.Enum):
                values[position] = value.value
        return tuple(values)


def quote_name(name: str | None) -> str:
    assert name, "a table or column name"
    return connection.ops.quote_name(name)


def reserve_ids(model: type[models.Model], count: int) -> int:
    """Reserve `count` consecutive primary keys of `model` and return the first.

    Knowing the ids before anything is written lets the workers fill in foreign keys. The table's
    own id generator is moved past the block (PostgreSQL: its sequence, under a lock that keeps
    concurrent inserts out while it moves; SQLite: `sqlite_sequence`, which AUTOINCREMENT honours),
    so rows filed meanwhile by anyone else get ids after it.
    """
    table = model._meta.db_table
    pk = model._meta.pk
    assert pk is not None
    column = quote_name(pk.column)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX({column}), 0) FROM {quote_name(table)}")  # noqa: S608
        highest = int(cursor.fetchone()[0])
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {quote_name(table)} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute(f"SELECT COALESCE(MAX({column}), 0) FROM {quote_name(table)}")  # noqa: S608
            highest = int(cursor.fetchone()[0])
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk.column])
            sequence = cursor.fetchone()[0]
            cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608
            last, called = cursor.fetchone()
            highest = max(highest, last if called else last - 1)
            if count:
                cursor.execute("SELECT setval(%s, %s, true)", [sequence, highest + count])
        else:
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            found = cursor.fetchone()
            highest = max(highest, int(found[0]) if found else 0)
            if count:
                if found:
                    cursor.execute(
                        "UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [highest + count, table]
                    )
                else:
                    cursor.execute(
                        "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, highest + count]
                    )
    return highest + 1


def allocate_blocks(counts: Mapping[str, int]) -> dict[str, int]:
    """The first of `counts[prefix]` consecutive numbers reserved under each prefix.

    `core.models.allocate_numbers` for many prefixes at once: a batch of a thousand customers
    touches hundreds of (kind, district) prefixes, and three statements per prefix per batch were a
    large share of the seed's time. Same locking: each counter row is updated (and so locked)
    before it is read, in prefix order.
    """
    prefixes = sorted(prefix for prefix, count in counts.items() if count)
    if not prefixes:
        return {}
    table = quote_name(CodeSequence._meta.db_table)
    with transaction.atomic():
        CodeSequence.objects.bulk_create(
            [CodeSequence(prefix=prefix) for prefix in prefixes], ignore_conflicts=True
        )
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET last_value = last_value + %s WHERE prefix = %s",  # noqa: S608
                [(counts[prefix], prefix) for prefix in prefixes],
            )
        last = dict(CodeSequence.objects.filter(prefix__in=prefixes).values_list("prefix", "last_value"))
    return {prefix: last[prefix] - counts[prefix] + 1 for prefix in prefixes}


def created_history_sql(model: type[models.Model]) -> str:
    """`INSERT … SELECT`: a "created" history row (django-simple-history's table) for each row of
    `model` with an id in a range, as `bulk_create_with_history` would write it, without sending
    the rows through Python again. Parameters: history date (as stored), change reason, history
    user id (or None), first id, last id."""
    history = model.history.model  # type: ignore[attr-defined]
    columns = {model_field.attname: model_field.column for model_field in model._meta.concrete_fields}
    copied = [
        (model_field.column, columns[model_field.attname])
        for model_field in history._meta.concrete_fields
        if model_field.attname in columns and not model_field.attname.startswith("history_")
    ]
    target = ", ".join(quote_name(column) for column, _source in copied)
    source = ", ".join(quote_name(column) for _target, column in copied)
    extra = ", ".join(
        quote_name(name)
        for name in ("history_date", "history_change_reason", "history_type", "history_user_id")
    )
    pk = model._meta.pk
    assert pk is not None
    return (
        f"INSERT INTO {quote_name(history._meta.db_table)} ({target}, {extra}) "  # noqa: S608
        f"SELECT {source}, %s, %s, '+', %s FROM {quote_name(model._meta.db_table)} "
        f"WHERE {quote_name(pk.column)} BETWEEN %s AND %s"
    )


# -- unsaved instances and their field checks, at import speed --------------------------------------


class InstanceFactory:
    """Unsaved instances of `model` without `Model.__init__`'s per-field work (about 0.1 ms a row):
    each starts as a copy of one instance built the ordinary way, with callable defaults (UUIDs, empty
    lists) called afresh, and the given values set through the model's attributes as `__init__` sets
    them. A model with init signals is built the ordinary way."""

    def __init__(self, model: type[models.Model]) -> None:
        from django.db.models.signals import post_init, pre_init

        self.model = model
        self.template = dict(model().__dict__)
        self.fresh = [
            (model_field.attname, model_field.get_default)
            for model_field in model._meta.concrete_fields
            if model_field.has_default() and callable(model_field.default)
        ]
        self.signalled = pre_init.has_listeners(model) or post_init.has_listeners(model)

    def __call__(self, **values: Any) -> Any:
        if self.signalled:
            return self.model(**values)
        from django.db.models.base import ModelState

        instance = self.model.__new__(self.model)
        state = instance.__dict__
        state.update(self.template)
        state["_state"] = ModelState()
        for attname, default in self.fresh:
            state[attname] = default()
        for name, value in values.items():
            setattr(instance, name, value)
        return instance


MEMO_TYPES = (str, int, bool, dt.date, Decimal)  # values judged by value alone (Decimal by its spelling)
MEMO_PROBE = 2_000  # lookups after which a field whose values rarely repeat stops being remembered
MEMO_LIMIT = 10_000  # remembered values per field, at most (then the field is cleaned every time)


class FieldCleaner:
    """`Model.clean_fields(exclude)`, the same checks in the same order with the same errors, that
    judges each (field, value) once per job: an import repeats a handful of kinds, statuses,
    industries and defaults on every row, and Django's `Field.clean` of a plain field depends on the
    value alone. Relations (their check queries the database) and fields of this project (encrypted
    ones) are cleaned every time; a field whose values seldom repeat (names, codes) stops being
    remembered after `MEMO_PROBE` lookups. `tests/test_bulk.py` holds it equal to `clean_fields`."""

    def __init__(self, model: type[models.Model], exclude: Iterable[str] = ()) -> None:
        from django.db.models.query_utils import DeferredAttribute

        excluded = set(exclude)
        self.fields = [
            model_field
            for model_field in model._meta.fields
            if model_field.name not in excluded and not model_field.generated
        ]
        self.memos: list[dict[Any, Any] | None] = [
            None if model_field.is_relation or not type(model_field).__module__.startswith("django.") else {}
            for model_field in self.fields
        ]
        self.lookups = [0] * len(self.fields)

        def plain(attname: str) -> bool:  # read from the instance's __dict__ as its attribute would be
            attribute = getattr(model, attname, None)
            return (
                isinstance(attribute, DeferredAttribute)
                and type(attribute).__get__ is DeferredAttribute.__get__
            )

        self.plan = [
            (
                position,
                model_field,
                model_field.attname,
                model_field.blank,
                model_field.empty_values,
                plain(model_field.attname),
            )
            for position, model_field in enumerate(self.fields)
        ]

    def clean(self, instance: models.Model) -> None:
        from django.core.exceptions import ValidationError
        from django.db.models.expressions import DatabaseDefault

        errors: dict[str, Any] = {}
        state = instance.__dict__
        memos = self.memos
        for position, model_field, attname, blank, empty_values, plain in self.plan:
            raw_value = state[attname] if plain and attname in state else getattr(instance, attname)
            if blank and (raw_value is None or raw_value == "" or raw_value in empty_values):
                continue
            if isinstance(raw_value, DatabaseDefault):
                continue
            memo = memos[position]
            kind = type(raw_value)
            if memo is None or kind not in MEMO_TYPES:
                try:
                    setattr(instance, attname, model_field.clean(raw_value, instance))
                except ValidationError as exc:
                    errors[model_field.name] = exc.error_list
                continue
            key = (kind, str(raw_value) if kind is Decimal else raw_value)
            outcome = memo.get(key)
            if outcome is None:
                try:
                    outcome = (True, model_field.clean(raw_value, instance))
                except ValidationError as exc:
                    outcome = (False, exc.error_list)
                memo[key] = outcome
            lookups = self.lookups[position] = self.lookups[position] + 1
            if lookups == MEMO_PROBE and len(memo) > MEMO_PROBE * 0.9 or len(memo) > MEMO_LIMIT:
                memos[position] = None
            if not outcome[0]:
                errors[model_field.name] = outcome[1]
            elif outcome[1] is not raw_value:
                setattr(instance, attname, outcome[1])
        if errors:
            raise ValidationError(errors)


def forked_map(
    function: Callable[..., Any], arguments: Iterable[tuple[Any, ...]], *, workers: int, in_flight: int
) -> Iterator[Any]:
    """`function(*args)` for each of `arguments`, in order, computed in `workers` forked processes with
    at most `in_flight` results pending (a consumer slower than the workers does not let results pile
    up in memory). The workers inherit this process as it is: `function` must touch no database (the
    inherited connection belongs to this process)."""
    import gc
    import multiprocessing
    from collections import deque

    # Objects that exist before the fork are moved out of the collector's reach: a collection in a
    # worker would otherwise touch every inherited object and copy each page it lies on.
    gc.freeze()
    pool = multiprocessing.get_context("fork").Pool(workers)
    try:
        pending: deque[Any] = deque()
        for args in arguments:
            pending.append(pool.apply_async(function, args))
            if len(pending) > in_flight:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
    except BaseException:
        pool.terminate()
        raise
    else:
        pool.close()
    finally:
        pool.join()
        gc.unfreeze()

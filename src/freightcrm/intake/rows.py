"""Rows on their way in: parsed from text, validated with the archive's rules, matched with the
archive and with earlier rows of the file, and reported (RowError, the error workbook) when refused.

Used by `importing` (the job functions); `filing` writes what this decides.
"""

from __future__ import annotations

import copy
import hashlib
import json
import operator
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from functools import reduce
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from freightcrm.core import access
from freightcrm.core.bulk import FieldCleaner, InstanceFactory
from freightcrm.core.errors import ApplicationError, PermissionDeniedError
from freightcrm.core.fields import BlindIndexField
from freightcrm.core.regions import parse_addresses
from freightcrm.core.storage import PlainCopy
from freightcrm.customers.choices import CustomerKind
from freightcrm.customers.models import Address, Contact, Customer, LogisticsNeed
from freightcrm.customers.rules import normalise_customer
from freightcrm.customers.services import (
    customer_part_save,
    customer_update,
)
from freightcrm.intake import filing
from freightcrm.intake.choices import ImportMode, ImportTarget, Source
from freightcrm.intake.mapping import REQUIRED, Spec, parser_for, specs
from freightcrm.intake.models import ImportJob, Submission
from freightcrm.intake.reading import FileProblem, Table, open_table
from freightcrm.intake.review import KEY_FIELDS, propose_changes
from freightcrm.shipments.choices import ShipmentStatus
from freightcrm.shipments.models import Shipment
from freightcrm.shipments.services import normalise_waybill

FORMULA_STARTS = ("=", "+", "-", "@")
SIGNED_NUMBER = re.compile(r"^[+-][\d\s().,\-]*\d[\d\s().,\-]*$")  # +86 138…, -12.5: not formulas
CUSTOMER_FIELDS = frozenset(
    model_field.name for model_field in Customer._meta.concrete_fields if model_field.editable
)
CONTACT_PREFIX = "contact_"


@dataclass
class RowError:
    """One problem in one cell (or row): where, what was there, why it is refused, how to fix it."""

    row: int
    column: str  # the header as in the file ("" for the row as a whole)
    value: str
    message: str
    hint: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class PreviewRow:
    number: int
    values: dict[str, str]  # field → normalised value as it would be filed
    errors: list[RowError]


@dataclass
class Row:
    """One data row on its way in."""

    number: int
    cells: list[str]
    values: dict[str, Any] = field(default_factory=dict)  # parsed, by field name
    errors: list[RowError] = field(default_factory=list)
    record: Any = None  # the unsaved Customer / Contact / LogisticsNeed / Shipment
    contact: Contact | None = None
    address: str = ""
    customer: Customer | None = None  # the existing customer it matches or belongs to
    outcome: str = ""  # created, updated, unchanged, error
    changes: dict[str, Any] = field(default_factory=dict)
    kept: int = 0  # errors found before validation (cells that did not parse): they stay on a match
    part: Any = None  # the existing contact / need / shipment a row matches
    # The record's validation as a new customer, done ahead (in the pipeline's worker): the errors it
    # raised, replayed when the row turns out to be new. None: not done ahead.
    checked: list[ValidationError] | None = None
    region: Any = None  # the address read into province, city, district (core.regions), when filed
    parts: list[Any] = field(default_factory=list)  # a matched customer's address and contact to save


def is_formula(text: str) -> bool:
    """Text that Excel would run as a formula when the data is exported and opened again."""
    if not text.startswith(FORMULA_STARTS) or SIGNED_NUMBER.match(text):
        return False
    return bool(text.strip("-+ "))  # "-" or "--" is how people write "none", not a formula


def keep_days() -> int:
    """How long an upload and its error workbook are kept after the job was last used."""
    return int(getattr(settings, "FREIGHTCRM_IMPORT_KEEP_DAYS", 30))


def upload_gone() -> FileProblem:
    return FileProblem(
        _(
            "This upload was deleted %(days)d days after it was last used, as it holds customers' "
            "personal data. Upload the file again: rows already imported are recognised, not filed twice."
        ),
        code="expired",
        params={"days": keep_days()},
    )


def open_job_table(job: ImportJob) -> Table:
    """The job's sheet, read from a plain copy of the stored (sealed) upload that lives as long as
    the table does. `FileProblem` when the upload has been deleted (`importing.imports_expire`)."""
    if not job.file:
        raise upload_gone()
    try:
        plain = PlainCopy(str(job.file.name))
    except FileNotFoundError as exc:
        raise upload_gone() from exc
    table = open_table(plain.path, original_name=job.original_name, sheet=job.sheet)
    table.keep = plain
    return table


def require_import(actor: Any) -> None:
    if not access.access_for(actor).has("intake.run_import"):
        raise PermissionDeniedError(_("You may not import spreadsheets."))


@transaction.atomic
# -- rows -----------------------------------------------------------------------------------------


class ErrorReport:
    """The error workbook: one line per problem with the original row beside it.

    Each batch's lines are stored (sealed, as every stored file) as a piece of the job named by the
    batch's first row, inside the batch's transaction, before it commits. A run that resumes at
    `next_row` drops the pieces from there on (a batch that stored its piece but did not commit)
    and keeps the earlier ones, so the workbook, assembled from every piece at the end, lists the
    problems of the batches before a crash as well. Memory holds one batch's lines at a time.
    """

    def __init__(self, job: ImportJob, headers: list[str], *, start: int) -> None:
        self.job = job
        self.headers = headers
        self.lines: list[str] = []
        self.folder = error_folder(job)
        for first, name in error_pieces(job):
            if first >= start:
                default_storage.delete(name)

    def add(self, error: RowError, cells: list[str]) -> None:
        self.lines.append(
            json.dumps([error.row, error.column, error.value, error.message, error.hint, *cells])
        )

    def store_batch(self, first: int) -> None:
        """Keep the lines of the batch that began at data row `first` (0-based)."""
        if self.lines:
            self.lines.append("")
            default_storage.save(f"{self.folder}/{first:010d}.jsonl", ContentFile("\n".join(self.lines)))
            self.lines = []

    def save_to(self, job: ImportJob) -> None:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(str(_("errors")))
        titles = [_("row"), _("column"), _("value"), _("reason"), _("how to fix")]
        sheet.append([str(title) for title in titles] + list(self.headers))
        pieces = error_pieces(job)
        for _first, name in pieces:
            with default_storage.open(name) as piece:
                for line in piece:
                    number, *texts = json.loads(line)
                    # A value that Excel would run as a formula is written as text, never as a formula.
                    sheet.append([number, *(f"'{text}" if is_formula(text) else text for text in texts)])
        earlier = job.error_report.name  # the workbook of an earlier run of this job
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
            workbook.save(handle.name)
            handle.seek(0)
            job.error_report.save(f"{job.uid}-errors.xlsx", File(handle), save=False)
        # The new workbook is recorded before what it replaces is deleted: a stop in between leaves
        # files to spare, never a job naming a deleted workbook or pieces missing from the next one.
        type(job).objects.filter(pk=job.pk).update(error_report=job.error_report.name)
        for stale in [earlier, *(name for _first, name in pieces)]:
            if stale:
                default_storage.delete(stale)


def error_folder(job: ImportJob) -> str:
    return f"imports/{job.uid}/errors"


def error_pieces(job: ImportJob) -> list[tuple[int, str]]:
    """(first row of the batch, stored name) of each stored piece of the job's error lines, in order."""
    folder = error_folder(job)
    try:
        _folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    return sorted((int(file.split(".")[0].split("_")[0]), f"{folder}/{file}") for file in files)


class SeenKeys:
    """Which row of the file first had each match key (a repeated row names it), in about 16 bytes a
    key: 64-bit digests in sorted numpy runs, merged like a binary counter, looked up a batch at a
    time. A dict of the keys themselves took about 250 bytes a key, 1 GB for a million-row file."""

    def __init__(self) -> None:
        self.runs: list[tuple[Any, Any]] = []  # (sorted digests, first rows), each smaller than the last

    @staticmethod
    def digest(key: tuple[str, str]) -> int:
        text = "\x1f".join(key).encode()
        return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "little")

    def lookup(self, digests: list[int]) -> dict[int, int]:
        """digest → first row, for the digests an earlier batch added."""
        import numpy as np

        found: dict[int, int] = {}
        if not digests:
            return found
        wanted = np.fromiter(digests, dtype=np.uint64, count=len(digests))
        for keys, rows in self.runs:
            at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
            hit = keys[at] == wanted
            found.update(zip(wanted[hit].tolist(), rows[at[hit]].tolist(), strict=True))
        return found

    def add(self, entries: dict[int, int]) -> None:
        """Keep a batch's new keys (none of them known before)."""
        import numpy as np

        if not entries:
            return
        keys = np.fromiter(entries.keys(), dtype=np.uint64, count=len(entries))
        rows = np.fromiter(entries.values(), dtype=np.int64, count=len(entries))
        while self.runs and len(self.runs[-1][0]) <= len(keys):
            older_keys, older_rows = self.runs.pop()
            keys, rows = np.concatenate([older_keys, keys]), np.concatenate([older_rows, rows])
        order = np.argsort(keys, kind="stable")
        self.runs.append((keys[order], rows[order]))


class Importer:
    """Parses, validates, matches and (when `writing`) files the rows of one job."""

    def __init__(self, job: ImportJob, *, writing: bool) -> None:
        self.job = job
        self.writing = writing
        self.actor = job.created_by
        self.target = job.target
        self.table = open_job_table(job)
        position = {header: index for index, header in enumerate(self.table.headers)}
        by_name = {spec.name: spec for spec in specs(self.target)}
        self.columns: list[tuple[int, str, Spec, Callable[[str], Any], Any]] = []
        self.header_of: dict[str, str] = {}
        for header, name in job.mapping.items():
            if name and header in position and name in by_name:
                parse, hint = parser_for(by_name[name])
                self.columns.append((position[header], header, by_name[name], parse, hint))
                self.header_of[name] = header
        self.seen = SeenKeys()
        self.earlier: dict[int, int] = {}  # this batch's keys that earlier batches had: digest → row
        self.fresh: dict[int, int] = {}  # keys first seen in this batch: digest → row
        self.clerk = access.access_for(self.actor).has("intake.review_submission")
        self.reason = f"导入 {job.original_name}"[:100]
        self.users: dict[str, Any] = {}
        self.all_users = False  # every active user is in `users` (read before a worker is forked)
        self.visible_ids: set[int] = set()  # matched customers of the batch the actor may see
        # The primary address and the contacts of the batch's matched customers (`load_parts`).
        self.primary_addresses: dict[int, Address] = {}
        self.contacts_of: dict[int, list[Contact]] = {}
        self.digest_field = Customer._meta.get_field("id_number_digest")
        assert isinstance(self.digest_field, BlindIndexField)
        # The archive's field checks, each value judged once per job (see core.bulk.FieldCleaner).
        self.new_customer = InstanceFactory(Customer)
        self.new_contact = InstanceFactory(Contact)
        self.new_address = InstanceFactory(Address)
        self.new_submission = InstanceFactory(Submission)
        self.customer_fields = FieldCleaner(Customer, exclude=["code", "owner", "created_by"])
        self.contact_fields = FieldCleaner(Contact, exclude=["customer", "version"])
        # When the actor may create customers and set every mapped field, require_change cannot refuse
        # a new row (its fields are a subset, judged one by one): asked once, not once per row.
        mapped = {name for name in self.header_of if name in CUSTOMER_FIELDS}
        self.may_create_mapped = (
            self.target == ImportTarget.CUSTOMERS
            and access.access_for(self.actor).has("customers.add_customer")
            and not getattr(Customer, "customer_path", "")
            and access.changeable_fields(self.actor, Customer, mapped) == mapped
        )

    # parsing ---------------------------------------------------------------------------------

    def error(self, row: Row, name: str, message: Any, hint: Any = "", value: str | None = None) -> None:
        column = self.header_of.get(name, "")
        if value is None:
            value = str(row.values.get(name, "")) if name in row.values else self._cell(row, name)
        row.errors.append(RowError(row.number, column, value, str(message), str(hint)))

    def refuse(self, row: Row, message: Any, hint: Any = "") -> None:
        """A problem of the row as a whole (a duplicate, a match, a permission), not of one cell."""
        row.errors.append(RowError(row.number, "", "", str(message), str(hint)))

    def _cell(self, row: Row, name: str) -> str:
        for index, _header, spec, _parse, _hint in self.columns:
            if spec.name == name:
                return row.cells[index]
        return ""

    def parse(self, number: int, cells: list[str]) -> Row:
        row = Row(number, cells)
        for index, header, spec, parse, hint in self.columns:
            text = cells[index].strip()
            if not text:
                continue
            if is_formula(text):
                row.errors.append(
                    RowError(
                        number,
                        header,
                        text,
                        str(
                            _(
                                "The cell starts with “%(char)s” and would "
                                "run as a formula in Excel; it is refused."
                            )
                            % {"char": text[0]}
                        ),
                        str(
                            _("Remove the leading “%(char)s”, or write the value as plain text.")
                            % {"char": text[0]}
                        ),
                    )
                )
                continue
            try:
                row.values[spec.name] = parse(text)
            except (ValueError, OverflowError):
                row.errors.append(
                    RowError(
                        number,
                        header,
                        text,
                        str(
                            _("“%(value)s” is not a valid %(field)s.") % {"value": text, "field": spec.label}
                        ),
                        str(hint),
                    )
                )
        failed = {error.column for error in row.errors}
        for name in REQUIRED[self.target]:
            header = self.header_of.get(name, "")
            if header and name not in row.values and header not in failed:
                self.error(
                    row,
                    name,
                    _("The required column “%(column)s” is empty in this row.") % {"column": header},
                    _(
                        "Fill in the cell. If cells were merged in Excel (only the first row of a merged "
                        "block has the value), unmerge them and fill every row."
                    ),
                    value="",
                )
        return row

    def add_validation(self, row: Row, error: ValidationError, prefix: str = "") -> None:
        """The archive's field errors as row errors; one per column (the first says enough)."""
        if not hasattr(error, "error_dict"):
            for message in error.messages:
                self.refuse(row, message)
            return
        for name, problems in error.error_dict.items():
            column = self.header_of.get(f"{prefix}{name}", "")
            if column and any(known.column == column for known in row.errors):
                continue
            problem = problems[0]
            self.error(row, f"{prefix}{name}", problem.messages[0], self._hint(problem))

    @staticmethod
    def _hint(problem: ValidationError) -> str:
        code = getattr(problem, "code", "") or ""
        if code in {"required", "blank", "null"}:
            return str(_("Fill in the cell, or add a column for it."))
        return ""

    # customers -------------------------------------------------------------------------------

    def user(self, username: str) -> Any:
        if username not in self.users and not self.all_users:
            model = get_user_model()
            self.users[username] = model._default_manager.filter(username=username, is_active=True).first()
        return self.users.get(username)

    def load_users(self) -> None:
        """Every active user by login name, so that `prepare` needs no database (a forked worker)."""
        model = get_user_model()
        self.users = {user.get_username(): user for user in model._default_manager.filter(is_active=True)}
        self.all_users = True

    def build_customer(self, row: Row) -> None:
        values = row.values
        fields = {
            name: value for name, value in values.items() if name in CUSTOMER_FIELDS and name != "owner"
        }
        if "kind" not in fields:
            fields["kind"] = (
                CustomerKind.INDIVIDUAL
                if values.get("id_number") and not values.get("uscc")
                else CustomerKind.ENTERPRISE
            )
        customer = self.new_customer(**fields)
        if "owner" in values:
            owner = self.user(values["owner"])
            if owner is None:
                self.error(
                    row,
                    "owner",
                    _("There is no active user “%(name)s”.") % {"name": values["owner"]},
                    _("Write the account owner's login name, or leave the cell empty."),
                )
            else:
                customer.owner = owner
        customer.code = "pending"
        normalise_customer(customer)  # for matching; validated once its match is known

        row.record = customer
        row.address = values.get("address", "")
        if values.get("contact_name"):
            contact = self.new_contact(
                name=values["contact_name"],
                title=values.get("contact_title", ""),
                is_primary=True,
            )
            number = values.get("contact_mobile", "")
            borrowed = not number  # the customer's own numbers: judged (and reported) on its columns
            if number:
                contact.mobile = number
            else:
                contact.mobile, contact.phone = customer.mobile, customer.phone
            try:
                self.contact_fields.clean(contact)
                contact.clean()
            except ValidationError as exc:
                for name, problems in exc.message_dict.items():
                    target = {"name": "contact_name", "title": "contact_title"}.get(name, "contact_mobile")
                    if borrowed and target == "contact_mobile":
                        continue
                    for message in problems:
                        self.error(row, target, message)
            row.contact = contact
        row.kept = len(row.errors)

    def validate_customer(self, row: Row, customer: Customer) -> None:
        for exc in self.customer_problems(customer):
            self.add_validation(row, exc)

    def customer_problems(self, customer: Customer) -> list[ValidationError]:
        """The archive's field checks and rules (`Customer.clean`) on `customer`, which they normalise."""
        problems = []
        for attempt in (
            lambda: self.customer_fields.clean(customer),
            customer.clean,
        ):
            try:
                attempt()
            except ValidationError as exc:
                problems.append(exc)
        return problems

    def keys(self, row: Row) -> list[tuple[str, str]]:
        customer: Customer = row.record
        keys: list[tuple[str, str]] = []
        if code := row.values.get("code"):
            keys.append(("code", code.upper()))
        if customer.uscc:
            keys.append(("uscc", customer.uscc))
        raw_id = customer.__dict__.get("id_number")
        if raw_id and isinstance(raw_id, str):
            digest = self.digest_field.digest(raw_id)
            if digest:
                keys.append(("id", digest))
        for number in (customer.mobile, customer.phone):
            if number and customer.name:
                keys.append(("name+phone", f"{customer.name}\t{number}"))
        return keys

    def match_customers(self, rows: list[Row]) -> None:
        """Find the existing customer of each row: one query for the batch."""
        wanted: dict[str, set[str]] = {kind: set() for kind in ("code", "uscc", "id", "names", "numbers")}
        row_keys: dict[int, list[tuple[str, str]]] = {}
        for row in rows:
            if row.record is None:
                continue
            row_keys[row.number] = keys = self.keys(row)
            for kind, key in keys:
                if kind == "name+phone":
                    name, number = key.split("\t")
                    wanted["names"].add(name)
                    wanted["numbers"].add(number)
                else:
                    wanted[kind].add(key)
        lookups = {"code": "code__in", "uscc": "uscc__in", "id": "id_number_digest__in"}
        conditions = [Q(**{lookup: sorted(wanted[kind])}) for kind, lookup in lookups.items() if wanted[kind]]
        if wanted["names"]:  # a name with one of the batch's numbers: common names alone match thousands
            numbers = sorted(wanted["numbers"])
            conditions.append(
                Q(name__in=sorted(wanted["names"])) & (Q(mobile__in=numbers) | Q(phone__in=numbers))
            )
        found: dict[tuple[str, str], Customer] = {}
        if conditions:
            for customer in Customer.objects.filter(reduce(operator.or_, conditions)):
                found[("code", customer.code)] = customer
                if customer.uscc:
                    found[("uscc", customer.uscc)] = customer
                if customer.id_number_digest:
                    found[("id", customer.id_number_digest)] = customer
                for number in (customer.mobile, customer.phone):
                    if number:
                        found.setdefault(("name+phone", f"{customer.name}\t{number}"), customer)
        self.visible_ids = set(
            # Customers still waiting for review count: re-importing the file must not file them twice.
            access.visible(
                self.actor, Customer.objects.filter(pk__in={c.pk for c in found.values()}), archive_only=False
            )
            .values_list("pk", flat=True)
            .iterator()
        )
        for row in rows:
            if row.record is None:
                continue
            matches = {found[key].pk: found[key] for key in row_keys[row.number] if key in found}
            if len(matches) > 1:
                codes = "、".join(customer.code for customer in matches.values())
                self.refuse(
                    row,
                    _("This row matches several customers in the archive (%(codes)s).") % {"codes": codes},
                    _(
                        "Check the code, credit code and phone of the "
                        "row; they belong to different customers."
                    ),
                )
            elif matches:
                row.customer = next(iter(matches.values()))
            if (
                row.customer is None
                and ("code", str(row.values.get("code", "")).upper()) in row_keys[row.number]
            ):
                self.error(
                    row, "code", _("No customer has this code."), _("Leave the code empty for new customers.")
                )

    def recall(self, keys_of: list[list[tuple[str, str]]]) -> None:
        """Before a batch's rows are checked one by one: which of their keys earlier batches had."""
        self.earlier = self.seen.lookup([SeenKeys.digest(key) for keys in keys_of for key in keys])
        self.fresh = {}

    def check_duplicates(self, row: Row, keys: Iterable[tuple[str, str]]) -> bool:
        digests = [SeenKeys.digest(key) for key in keys]
        for digest in digests:
            first = self.earlier.get(digest, self.fresh.get(digest))
            if first is not None and first != row.number:
                self.refuse(
                    row,
                    _("This row repeats row %(first)d of the file.") % {"first": first},
                    _("Delete one of the two rows, or correct the one that is wrong."),
                )
                return True
        for digest in digests:
            self.fresh.setdefault(digest, row.number)
        return False

    def decide_customer(self, row: Row) -> None:
        mode = self.job.mode
        existing = row.customer
        if existing is None:
            if mode == ImportMode.UPDATE:
                self.refuse(
                    row,
                    _("No customer in the archive matches this row."),
                    _("This import only updates customers; use “create or update” to add new ones."),
                )
                return
            if row.checked is None:
                self.validate_customer(row, row.record)
            else:
                for exc in row.checked:
                    self.add_validation(row, exc)
            if row.errors:
                return
            customer: Customer = row.record
            if customer.owner_id is None and not access.access_for(self.actor).assign_owner:
                customer.owner = self.actor
            try:
                if not self.may_create_mapped:
                    access.require_change(
                        self.actor,
                        customer,
                        [name for name in row.values if name in CUSTOMER_FIELDS],
                        creating=True,
                    )
            except PermissionDeniedError as exc:
                self.refuse(row, exc)
                return
            row.outcome = "created"
            return
        if mode == ImportMode.CREATE:
            self.refuse(
                row,
                _("This customer is already in the archive as %(code)s.") % {"code": existing.code},
                _("Remove the row, or import with “create or update”."),
            )
            return
        if existing.pk not in self.visible_ids:
            self.refuse(
                row,
                _("This row matches %(code)s, a customer you may not change.") % {"code": existing.code},
                _("Ask the customer's account manager or a records clerk to import it."),
            )
            return
        # Validate the existing record with this row's values on it (empty cells change nothing).
        row.errors = row.errors[: row.kept]
        draft = copy.copy(existing)
        fields = [name for name in row.values if name in CUSTOMER_FIELDS and name not in {"code"}]
        for name in fields:
            if name == "owner":
                continue
            setattr(draft, name, row.values[name])
        if "owner" in row.values and (owner := self.user(row.values["owner"])) is not None:
            draft.owner = owner
        self.validate_customer(row, draft)
        if row.errors:
            return
        changes = {}
        for name in fields:
            before = getattr(existing, "owner_id" if name == "owner" else name)
            after = getattr(draft, "owner_id" if name == "owner" else name)
            if before != after and not (before in (None, "") and after in (None, "")):
                changes[name] = getattr(draft, name)
        row.changes = changes
        row.parts = self.part_changes(row, existing)
        row.outcome = "updated" if changes or row.parts else "unchanged"

    def load_parts(self, rows: list[Row]) -> None:
        """The primary address and the contacts of the batch's matched customers whose rows give an
        address or a contact: what `part_changes` compares them with (two queries; none without)."""
        ids = {row.customer.pk for row in rows if row.customer is not None and (row.address or row.contact)}
        self.primary_addresses, self.contacts_of = {}, {}
        if not ids:
            return
        for address in Address.objects.filter(customer_id__in=ids, is_primary=True):
            self.primary_addresses[address.customer_id] = address
        for contact in Contact.objects.filter(customer_id__in=ids):
            self.contacts_of.setdefault(contact.customer_id, []).append(contact)

    def part_changes(self, row: Row, customer: Customer) -> list[Address | Contact]:
        """A matched row's address and contact against the customer's: the primary address's text
        replaced (its region read again when saved) or a primary address added; a contact of a new
        name added (primary when the customer has none), a known one's title or mobile changed. Empty
        cells change nothing, as for the customer's own fields."""
        parts: list[Address | Contact] = []
        if row.address:
            current = self.primary_addresses.get(customer.pk)
            if current is None:
                kind = filing.primary_address_kind(customer)
                parts.append(
                    self.new_address(customer=customer, kind=kind, text=row.address, is_primary=True)
                )
            elif current.text != row.address:
                moved = copy.copy(current)
                moved.text = row.address
                parts.append(moved)
        if row.contact is not None:
            contacts = self.contacts_of.get(customer.pk, [])
            known = next((contact for contact in contacts if contact.name == row.contact.name), None)
            if known is None:
                row.contact.customer = customer
                row.contact.is_primary = not any(contact.is_primary for contact in contacts)
                parts.append(row.contact)
            else:
                given = {
                    "title": row.contact.title,
                    "mobile": row.contact.mobile if row.values.get("contact_mobile") else "",
                }
                changed = {
                    name: value for name, value in given.items() if value and value != getattr(known, name)
                }
                if changed:
                    edited = copy.copy(known)
                    for name, value in changed.items():
                        setattr(edited, name, value)
                    parts.append(edited)
        return parts

    # other targets ---------------------------------------------------------------------------

    def resolve_customers(self, rows: list[Row]) -> None:
        codes = {str(row.values["customer_code"]).upper() for row in rows if row.values.get("customer_code")}
        usccs = {
            str(row.values["customer_uscc"]).replace(" ", "").upper()
            for row in rows
            if row.values.get("customer_uscc")
        }
        names = {row.values["customer_name"] for row in rows if row.values.get("customer_name")}
        conditions = [
            Q(**{lookup: sorted(values)})
            for lookup, values in (("code__in", codes), ("uscc__in", usccs), ("name__in", names))
            if values
        ]
        by: dict[tuple[str, str], list[Customer]] = {}
        if conditions:
            for customer in access.visible(  # a customer waiting for review may get its contacts
                self.actor, Customer.objects.filter(reduce(operator.or_, conditions)), archive_only=False
            ):
                by.setdefault(("code", customer.code), []).append(customer)
                if customer.uscc:
                    by.setdefault(("uscc", customer.uscc), []).append(customer)
                by.setdefault(("name", customer.name), []).append(customer)
        for row in rows:
            candidates: list[Customer] = []
            for kind, name in (
                ("code", "customer_code"),
                ("uscc", "customer_uscc"),
                ("name", "customer_name"),
            ):
                if value := row.values.get(name):
                    key = str(value).replace(" ", "").upper() if kind != "name" else value
                    candidates = by.get((kind, key), [])
                    if len(candidates) > 1:
                        self.error(
                            row,
                            name,
                            _("Several customers have this name."),
                            _("Add a column with the customer code or credit code."),
                        )
                        break
                    if not candidates:
                        self.error(
                            row,
                            name,
                            _("No customer you can see matches “%(value)s”.") % {"value": value},
                            _("Check the spelling, or import the customer first."),
                        )
                        break
                    break
            if len(candidates) == 1:
                row.customer = candidates[0]

    def build_part(self, row: Row) -> None:
        models_of: dict[str, type[models.Model]] = {
            ImportTarget.CONTACTS: Contact,
            ImportTarget.NEEDS: LogisticsNeed,
            ImportTarget.SHIPMENTS: Shipment,
        }
        model = models_of[self.target]
        fields = {name: value for name, value in row.values.items() if not name.startswith("customer_")}
        if self.target == ImportTarget.SHIPMENTS:
            if fields.get("waybill_no"):
                fields["waybill_no"] = normalise_waybill(fields["waybill_no"])
            if "status" not in fields:
                fields["status"] = (
                    ShipmentStatus.DELIVERED if fields.get("delivered_at") else ShipmentStatus.BOOKED
                )
            if "currency" not in fields:
                fields["currency"] = "CNY"
        record: Any = model(**fields)
        if row.customer is not None:
            record.customer = row.customer
        row.record = record
        if row.errors or row.customer is None:
            return
        exclude = (
            ["customer", "version", "waybill_no"]
            if self.target == ImportTarget.SHIPMENTS
            else ["customer", "version"]
        )
        for attempt in (lambda: record.clean_fields(exclude=exclude), record.clean):
            try:
                attempt()
            except ValidationError as exc:
                self.add_validation(row, exc)
        if self.target == ImportTarget.SHIPMENTS and record.booked_at and record.booked_at > timezone.now():
            self.error(
                row, "booked_at", _("A shipment cannot be booked in the future."), _("Check the year.")
            )

    def decide_part(self, row: Row, existing: dict[Any, Any]) -> None:
        if row.errors or row.customer is None:
            return
        record = row.record
        key = self.part_key(record)
        found = existing.get(key)
        if found is None:
            if self.job.mode == ImportMode.UPDATE:
                self.refuse(
                    row,
                    _("Nothing in the archive matches this row."),
                    _("Use “create or update” to add new records."),
                )
                return
            try:
                fields = [name for name in row.values if not name.startswith("customer_")]
                access.require_change(self.actor, record, ["customer", *fields], creating=True)
            except PermissionDeniedError as exc:
                self.refuse(row, exc)
                return
            row.outcome = "created"
            return
        if self.job.mode == ImportMode.CREATE:
            self.refuse(row, _("This record is already in the archive."), _("Remove the row."))
            return
        changes = {
            name: getattr(record, name)
            for name in row.values
            if not name.startswith("customer_") and getattr(found, name) != getattr(record, name)
        }
        if self.target == ImportTarget.SHIPMENTS:
            changes = {}  # historic shipments are not rewritten by a re-import
        row.changes = changes
        row.part = found
        row.outcome = "updated" if changes else "unchanged"

    def part_key(self, record: Any) -> tuple[Any, ...]:
        if self.target == ImportTarget.CONTACTS:
            return (record.customer_id, record.name)
        if self.target == ImportTarget.NEEDS:
            return (
                record.customer_id,
                record.mode,
                record.origin_city,
                record.destination_city,
                record.cargo_type,
            )
        return (record.waybill_no,)

    def existing_parts(self, rows: list[Row]) -> dict[Any, Any]:
        customer_ids = {row.customer.pk for row in rows if row.customer is not None}
        if self.target == ImportTarget.SHIPMENTS:
            waybills = [
                row.record.waybill_no for row in rows if row.record is not None and row.record.waybill_no
            ]
            return {
                (shipment.waybill_no,): shipment
                for shipment in Shipment.objects.filter(waybill_no__in=waybills)
            }
        model = Contact if self.target == ImportTarget.CONTACTS else LogisticsNeed
        return {self.part_key(part): part for part in model.objects.filter(customer_id__in=customer_ids)}

    # the batch -------------------------------------------------------------------------------

    def process(self, chunk: list[tuple[int, list[str]]]) -> list[Row]:
        return self.finish(self.prepare(chunk, ahead=False))

    def prepare(self, chunk: list[tuple[int, list[str]]], *, ahead: bool) -> list[Row]:
        """What needs no database: parsing, and for customers building the record and, `ahead` (in
        the pipeline's worker), validating it as a new customer, replayed by `finish` if it is."""
        rows = [self.parse(number, cells) for number, cells in chunk]
        if self.target == ImportTarget.CUSTOMERS:
            for row in rows:
                self.build_customer(row)
                if ahead and row.record is not None:  # the match keys are normalised already
                    row.checked = self.customer_problems(row.record)
            if ahead and self.writing:  # where each address lies, for the rows filed as new
                addressed = [row for row in rows if row.address]
                for row, found in zip(
                    addressed, parse_addresses([row.address for row in addressed]), strict=True
                ):
                    row.region = found
        return rows

    def finish(self, rows: list[Row]) -> list[Row]:
        """Matching, deciding and (when `writing`) filing the prepared rows of one batch."""
        if self.target == ImportTarget.CUSTOMERS:
            self.match_customers(rows)
            self.load_parts(rows)
            keys_of = [[*self.keys(row), ("row", "\x1f".join(row.cells))] for row in rows]
            self.recall(keys_of)
            for row, keys in zip(rows, keys_of, strict=True):
                if not self.check_duplicates(row, keys):
                    self.decide_customer(row)
        else:
            self.resolve_customers(rows)
            for row in rows:
                self.build_part(row)
            existing = self.existing_parts(rows)
            part_keys = [
                [("part", "\x1f".join(str(part) for part in self.part_key(row.record)))]
                if row.record is not None and not row.errors
                else []
                for row in rows
            ]
            self.recall(part_keys)
            for row, keys in zip(rows, part_keys, strict=True):
                if keys and self.check_duplicates(row, keys):
                    continue
                self.decide_part(row, existing)
        self.seen.add(self.fresh)
        for row in rows:
            if row.errors:
                row.outcome = "error"
        if self.writing:
            self.write(rows)
        return rows

    def write(self, rows: list[Row]) -> None:
        if self.target == ImportTarget.CUSTOMERS:
            filing.write_customers(self, [row for row in rows if row.outcome == "created"])
            for row in rows:
                if row.outcome == "updated":
                    self.update_customer(row)
        else:
            for row in rows:
                if row.outcome in ("created", "updated"):
                    self.write_part(row)

    def update_customer(self, row: Row) -> None:
        existing: Customer = row.customer  # type: ignore[assignment]
        key = {name: value for name, value in row.changes.items() if name in KEY_FIELDS}
        other = {name: value for name, value in row.changes.items() if name not in KEY_FIELDS}
        try:
            with transaction.atomic():
                if key and not self.clerk:
                    propose_changes(
                        actor=self.actor,
                        customer=existing,
                        changes=key,
                        source=Source.IMPORT,
                        note=self.reason,
                        import_job=self.job,
                    )
                else:
                    other.update(key)
                if other:
                    customer_update(
                        actor=self.actor,
                        customer=Customer.objects.get(pk=existing.pk),
                        version=existing.version,
                        reason=self.reason,
                        **other,
                    )
                for part in row.parts:
                    customer_part_save(actor=self.actor, part=part, reason=self.reason)
        except (ValidationError, ApplicationError) as exc:
            message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            self.refuse(row, message)
            row.outcome = "error"

    def write_part(self, row: Row) -> None:
        try:
            with transaction.atomic():
                if self.target == ImportTarget.SHIPMENTS:
                    filing.write_shipment(self.actor, row.record)
                    return
                part = row.record if row.outcome == "created" else row.part
                for name, value in row.changes.items():
                    setattr(part, name, value)
                customer_part_save(actor=self.actor, part=part, reason=self.reason)
        except (ValidationError, ApplicationError) as exc:
            message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            self.refuse(row, message)
            row.outcome = "error"

    def preview_values(self, row: Row) -> dict[str, str]:
        shown: dict[str, str] = {}
        record = row.record
        for _index, _header, spec, _parse, _hint in self.columns:
            name = spec.name
            value: Any = row.values.get(name, "")
            if record is not None and spec.model is type(record) and spec.model_field:
                model_field = record._meta.get_field(spec.model_field)
                if name in {"id_number", "bank_account"}:
                    value = row.values.get(name, "")
                elif not model_field.is_relation:
                    value = getattr(record, spec.model_field)
            shown[name] = "" if value is None else str(value)
        return shown

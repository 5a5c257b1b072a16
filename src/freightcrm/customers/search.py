"""Find a customer from whatever the caller says: one selector behind the staff list, the 360 page
and the API's `q=`.

Why a term table and not trigrams or full-text search: staff type two Chinese characters (`韵达`,
`顺丰`) more than anything else, and neither PostgreSQL's `pg_trgm` nor SQLite's FTS5 trigram
tokenizer can answer a query shorter than three characters from an index (DESIGN.md). So every
customer is written into `SearchTerm` as a handful of *keys*, and a query becomes one range scan
over a B-tree on both databases: `key >= q AND key < q || U+10FFFF`, i.e. "a key that starts with
q". Substring search comes from storing each *suffix* of a name as a key (`上海韵达货运` is stored
as `上海韵达货运…`, `海韵达货运…`, `韵达货运…`, …), so "contains 韵达" is "some suffix starts with
韵达" — as fast for one character as for ten. The same trick serves phone numbers (digits stored
reversed, so "the last four digits" is a prefix), pinyin (initials and full pinyin, from each
syllable), contact names, codes and credit codes. Range comparisons treat `%`, `_` and `*`
literally, so no query can turn into a wildcard scan.

Ranking: exact code, credit code, resident ID or full phone number first; then names that start
with the query; then names, pinyin and contacts that contain it; then, when nothing matches
as typed, names within one wrong, missing or extra character (found through whichever half of the
query is intact, then checked with an edit distance). A search returns at most `MAX_MATCHES`
customers: enough to page through, and a bound on the work any query can cause; the result says
when it was capped.
"""

from __future__ import annotations

import multiprocessing
import re
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from rapidfuzz.distance import Levenshtein

from freightcrm.core import access
from freightcrm.core.bulk import insert_rows, refilling_table
from freightcrm.core.errors import PermissionDeniedError
from freightcrm.core.fields import BlindIndexField, field_of
from freightcrm.core.validators import normalise_resident_id, normalise_uscc, to_half_width
from freightcrm.customers.models import Contact, Customer, SearchTerm, TermField

MAX_QUERY_LENGTH = 100
MAX_MATCHES = 1000
MAX_PAGE_SIZE = 100
MAX_COUNT = 10_000  # a plain list counts this far, then says "10,000 or more"
PINYIN_STARTS = 4  # pinyin keys start at the first four syllables: city and brand
KEY_LENGTH = SearchTerm.KEY_LENGTH  # names, pinyin and contacts; codes and numbers are kept whole
TRUNCATED_FIELDS = frozenset(
    {TermField.NAME_START, TermField.NAME_INNER, TermField.PINYIN, TermField.CONTACT}
)
TOP = "\U0010ffff"  # sorts after every character: `key < q + TOP` bounds "starts with q"
FUZZY_CANDIDATES = 300
ORDERINGS = ("code", "-code", "name", "-name", "created", "-created", "updated", "-updated")
DEFAULT_ORDERING = "-updated"

# Legal-form endings (longest first): a suffix that starts inside one is not worth a key, since
# "有限公司" matches nearly every company. Keys that start earlier still run on into them.
LEGAL_FORMS = (
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "股份公司",
    "合伙企业",
    "分公司",
    "公司",
    "集团",
    "厂",
    "店",
)
NOTHING_TO_SEARCH = _("Nothing to search for: type part of a name, a phone number, a code or pinyin.")
RANK_EXACT, RANK_PREFIX, RANK_CONTAINS, RANK_FUZZY = range(4)
CODE_SHAPE = re.compile(r"^[PEISN]-\d{0,6}(-\d{0,6})?$")


# -- normalising text the same way for keys and queries ---------------------------------------------


def fold(text: str) -> str:
    """Compare form: half-width, NFKC, lower case, no whitespace or punctuation. Letters, digits and
    CJK characters stay; so do `-` (in codes). Emoji and symbols go."""
    text = unicodedata.normalize("NFKC", to_half_width(text or "")).lower()
    return "".join(char for char in text if char.isalnum() or char == "-")


def name_stem_length(name: str) -> int:
    """How much of a folded name is worth a key of its own: all but a legal-form ending."""
    for form in LEGAL_FORMS:
        if name.endswith(form) and len(name) > len(form):
            return len(name) - len(form)
    return len(name)


def suffix_keys(text: str, starts: Iterable[int]) -> Iterator[str]:
    for start in starts:
        key = text[start : start + KEY_LENGTH]
        if key:
            yield key


def name_keys(name: str) -> tuple[str, list[str]]:
    """The key a name starts with, and the keys of the suffixes that start inside its stem."""
    folded = fold(name).replace("-", "")
    if not folded:
        return "", []
    return folded[:KEY_LENGTH], list(suffix_keys(folded, range(1, name_stem_length(folded))))


@cache
def _segmenter() -> Any:
    """pypinyin's word splitter. Imported when first needed: its phrase dictionary takes about
    60 MB, which a process that never builds search keys (an import, the task worker) need not hold."""
    from pypinyin.core import Pinyin

    return Pinyin()


@lru_cache(maxsize=200_000)
def _word_pinyin(word: str) -> tuple[str, ...]:
    from pypinyin import lazy_pinyin

    return tuple(lazy_pinyin(word))


def to_pinyin(text: str) -> list[str]:
    """`lazy_pinyin(text)`, eight times faster at scale: pypinyin splits text into words (its
    phrase dictionary picks 重庆 chongqing over zhongqing) and converts word by word; the words of
    company and people's names repeat (上海, 物流, 科技), so each word is converted once."""
    return [syllable for word in _segmenter().seg(text) for syllable in _word_pinyin(word)]


def pinyin_keys(name: str) -> list[str]:
    """Initials (`shydhy…`) and full pinyin (`shanghaiyunda…`) from each of the stem's first
    `PINYIN_STARTS` syllables, so that `shyd`, `yd`, `yunda` and `shanghaiyunda` all find
    上海韵达货运有限公司 — city and brand, what people type in pinyin — without a key for every
    syllable of a long name. Initials keys are at least two letters. Non-Chinese runs (`DHL`) come
    through as they are."""
    folded = fold(name).replace("-", "")
    if not folded or folded.isascii():
        return []  # an ASCII name is already searched as a name
    stem = folded[: name_stem_length(folded)]
    syllables = [piece for piece in to_pinyin(stem) if piece]
    initials = "".join(piece[0] for piece in syllables)
    full = "".join(syllables)
    keys = list(suffix_keys(initials, range(min(PINYIN_STARTS, len(initials) - 1))))
    position = 0
    for piece in syllables[:PINYIN_STARTS]:
        keys.append(full[position : position + KEY_LENGTH])
        position += len(piece)
    return keys


@lru_cache(maxsize=100_000)
def person_initials(name: str) -> str:
    """`王建国` → `wjg`. Cached: people's names repeat far more than company names."""
    folded = fold(name).replace("-", "")
    if not folded or folded.isascii():
        return ""
    return "".join(piece[0] for piece in to_pinyin(folded) if piece)[:KEY_LENGTH]


def phone_key(number: str) -> str:
    """Digits of a stored phone number, reversed, without the country code: a suffix is a prefix."""
    digits = "".join(char for char in number if char.isdigit())
    if number.startswith("+86"):
        digits = digits[2:]
    return digits[::-1]


@dataclass(frozen=True)
class CustomerText:
    """What the search index reads of one customer (and its contacts)."""

    pk: int
    code: str
    name: str
    short_name: str = ""
    uscc: str | None = None
    phones: Sequence[str] = ()
    contact_names: Sequence[str] = ()


def terms_for(customer: CustomerText) -> set[tuple[int, str]]:
    """Every (field, key) under which `customer` can be found."""
    terms: set[tuple[int, str]] = {(TermField.CODE, customer.code.lower())}
    if customer.uscc:
        terms.add((TermField.USCC, customer.uscc.lower()))
    folded_name = fold(customer.name).replace("-", "")
    for name in filter(None, (customer.name, customer.short_name)):
        first, inner = name_keys(name)
        if first:
            terms.add((TermField.NAME_START, first))
        if name is not customer.name and first and first in folded_name:
            continue  # a short name inside the name (上海韵达 in 上海韵达货运…): its other keys are there
        terms.update((TermField.NAME_INNER, key) for key in inner)
        terms.update((TermField.PINYIN, key) for key in pinyin_keys(name))
    for phone in customer.phones:
        if key := phone_key(phone):
            terms.add((TermField.PHONE, key))
    for contact in customer.contact_names:
        folded = fold(contact).replace("-", "")
        # The full name and the given name(s) (王建国, 建国; 欧阳娜娜, 阳娜娜, 娜娜), not single characters.
        terms.update((TermField.CONTACT, key) for key in suffix_keys(folded, range(max(1, len(folded) - 1))))
        if initials := person_initials(contact):
            terms.add((TermField.CONTACT, initials))
    return terms


# -- keeping the index current ----------------------------------------------------------------------


def _texts(customer_ids: Sequence[int] = (), *, between: tuple[int, int] | None = None) -> list[CustomerText]:
    """What the index reads of the given customers, or of those with ids in `between` (inclusive:
    a range scan, much cheaper than a list of thousands of ids). Customers waiting for review or
    rejected are not the archive and get no entries, so no search finds them."""
    if between:
        contact_rows = Contact.objects.filter(customer_id__gte=between[0], customer_id__lte=between[1])
        customers = Customer.objects.filter(pk__gte=between[0], pk__lte=between[1])
    else:
        contact_rows = Contact.objects.filter(customer_id__in=customer_ids)
        customers = Customer.objects.filter(pk__in=customer_ids)
    contacts: dict[int, list[tuple[str, str, str]]] = {}
    for customer_id, name, mobile, phone in contact_rows.values_list(
        "customer_id", "name", "mobile", "phone"
    ):
        contacts.setdefault(customer_id, []).append((name, mobile, phone))
    texts = []
    customers = customers.filter(Customer.archive_filter)
    rows = customers.values_list("pk", "code", "name", "short_name", "uscc", "mobile", "phone")
    for pk, code, name, short_name, uscc, mobile, phone in rows.order_by("pk"):
        people = contacts.get(pk, [])
        texts.append(
            CustomerText(
                pk=pk,
                code=code,
                name=name,
                short_name=short_name,
                uscc=uscc,
                phones=[number for number in (mobile, phone) if number]
                + [number for _name, *numbers in people for number in numbers if number],
                contact_names=[person for person, _mobile, _phone in people],
            )
        )
    return texts


def _rows(texts: Iterable[CustomerText]) -> Iterator[tuple[int, str, int]]:
    for text in texts:
        for term_field, key in sorted(terms_for(text)):
            yield (term_field, key, text.pk)


def reindex_customers(customer_ids: Iterable[int]) -> None:
    """Rewrite the index entries of these customers (after a service changed them or their contacts)."""
    ids = sorted(set(customer_ids))
    if not ids:
        return
    with transaction.atomic():
        SearchTerm.objects.filter(customer_id__in=ids).delete()
        insert_rows(SearchTerm, ("kind", "key", "customer_id"), _rows(_texts(ids)))


def _rows_of(texts: list[CustomerText]) -> list[tuple[int, str, int]]:
    return list(_rows(texts))


def rebuild_search_index(
    *, progress: Callable[[int], None] | None = None, batch_size: int = 5_000, workers: int = 2
) -> int:
    """Build the whole index from the archive; returns the number of customers indexed.

    Reads customers by id in batches (memory stays flat at any size), computes their keys in
    `workers` processes (pinyin is the slow part) while this one reads and writes, and loads the
    table with its indexes built once at the end. One transaction: searches see the old index
    until the new one is complete.
    """
    fields = ("kind", "key", "customer_id")
    ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    pool = None
    if workers > 1 and len(ids) > batch_size:
        if not connection.in_atomic_block:
            connections.close_all()  # the workers only compute; give them no connection to inherit
        pool = multiprocessing.get_context("fork").Pool(workers)
    try:
        with transaction.atomic():
            with refilling_table(SearchTerm) as write:
                pending: deque[tuple[int, Any]] = deque()

                def drain(until: int) -> None:
                    while len(pending) > until:
                        count, result = pending.popleft()
                        write(fields, result.get() if pool else result)
                        if progress:
                            progress(count)

                for start in range(0, len(ids), batch_size):
                    batch = ids[start : start + batch_size]
                    texts = _texts(between=(batch[0], batch[-1]))  # database work stays here
                    result = pool.apply_async(_rows_of, (texts,)) if pool else _rows_of(texts)
                    pending.append((len(texts), result))
                    drain(until=workers)
                drain(until=0)
    finally:
        if pool:
            pool.close()
            pool.join()
    return len(ids)


# -- searching --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerFilters:
    """The list's filters. `region` is a region code prefix (`31`, `3101`, `310115`) or a province
    or city name; `tag` a tag's name; `owner` a user id; `grade` a credit grade (finance only)."""

    kind: str = ""
    region: str = ""
    status: str = ""
    owner: int | None = None
    tag: str = ""
    grade: str = ""

    def q(self, user: Any, prefix: str = "") -> Q:
        condition = Q()
        if self.kind:
            condition &= Q(**{f"{prefix}kind": self.kind})
        if self.status:
            condition &= Q(**{f"{prefix}status": self.status})
        if self.owner is not None:
            condition &= Q(**{f"{prefix}owner_id": self.owner})
        if self.tag:
            condition &= Q(**{f"{prefix}tags__name": self.tag})
        if self.region:
            region = self.region.strip()
            if region.isdigit():
                condition &= Q(**{f"{prefix}adcode__startswith": region})
            else:
                condition &= Q(**{f"{prefix}province": region}) | Q(**{f"{prefix}city": region})
        if self.grade:
            if "credit_grade" in access.hidden_fields(user, Customer):
                raise PermissionDeniedError(_("You may not filter by credit grade."))
            condition &= Q(**{f"{prefix}credit_grade": self.grade})
        return condition


@dataclass
class SearchPage:
    customers: list[Customer]
    total: int
    capped: bool
    page: int
    page_size: int
    notice: str = ""
    ranks: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Query:
    """A query taken apart: what to look for under which index field."""

    text: str  # folded
    digits: str = ""
    kinds: frozenset[str] = frozenset()


def parse_query(raw: str) -> Query:
    if len(raw) > MAX_QUERY_LENGTH:
        raise ValidationError(
            {
                "q": ValidationError(
                    _("The search text is %(length)d characters long; use at most %(limit)d."),
                    code="query_too_long",
                    params={"length": len(raw), "limit": MAX_QUERY_LENGTH},
                )
            }
        )
    text = fold(raw)
    phone_text = to_half_width(raw).strip()
    digits = "".join(char for char in phone_text if char.isdigit())
    if phone_text.startswith(("+86", "0086")) and len(digits) > 2:
        digits = digits[2:] if phone_text.startswith("+86") else digits[4:]
    kinds = set()
    if CODE_SHAPE.match(text.upper()) or text.upper().startswith(("P-", "E-", "I-", "S-", "N-")):
        kinds.add("code")
    compact = text.replace("-", "")
    if len(compact) == 18:
        kinds.update({"uscc", "id_number"})
    if digits and len(digits) >= 4 and not re.search(r"[^\d\s\-+()（）]", phone_text):
        kinds.add("phone")
    if compact:
        kinds.add("name")
        if compact.isascii() and compact.isalpha():
            kinds.add("pinyin")
        if not compact.isdigit():
            kinds.add("contact")
    return Query(text=compact if "code" not in kinds else text, digits=digits, kinds=frozenset(kinds))


class _Collector:
    """Gathers customer ids in rank order, each once, up to `MAX_MATCHES`."""

    def __init__(self) -> None:
        self.ranks: dict[int, int] = {}

    @property
    def remaining(self) -> int:
        return max(0, MAX_MATCHES - len(self.ranks))

    @property
    def full(self) -> bool:
        return not self.remaining

    def add(self, ids: Iterable[int], rank: int) -> None:
        for pk in ids:
            if self.full:
                return
            self.ranks.setdefault(pk, rank)


def _scan(
    terms: QuerySet[SearchTerm], term_field: int, key: str, *, exact: bool = False, limit: int = MAX_MATCHES
) -> list[int]:
    """Customer ids whose `term_field` has a key equal to (or starting with) `key`, in key order."""
    if term_field in TRUNCATED_FIELDS:
        key = key[:KEY_LENGTH]
    if exact:
        rows = terms.filter(kind=term_field, key=key)
    else:
        rows = terms.filter(kind=term_field, key__gte=key, key__lt=key + TOP)
    return list(rows.order_by("key", "customer_id").values_list("customer_id", flat=True)[:limit])


def _long_name_ids(candidates: list[int], text: str) -> list[int]:
    """Keys hold `KEY_LENGTH` characters: for a longer query, keep the names that contain all of it."""
    names = dict(Customer.objects.filter(pk__in=candidates).values_list("pk", "name"))
    return [pk for pk in candidates if text in fold(names.get(pk, "")).replace("-", "")]


def _within_one_edit(text: str, name: str) -> bool:
    """Does some stretch of `name` differ from `text` by at most one character edit?"""
    length = len(text)
    for width in (length - 1, length, length + 1):
        if width < 1:
            continue
        for start in range(0, max(1, len(name) - width + 1)):
            if Levenshtein.distance(text, name[start : start + width], score_cutoff=1) <= 1:
                return True
    return False


def _fuzzy(terms: QuerySet[SearchTerm], text: str, found: set[int]) -> list[int]:
    """Names within one edit of a Chinese query of three or more characters.

    With one edit, at least one half of the query is intact (pigeonhole), so the names that contain
    either half are the only candidates; each is then checked with an edit distance.
    """
    if len(text) < 3 or text.isascii():
        return []
    middle = len(text) // 2
    halves = [text[:middle], text[middle:]] if len(text) >= 4 else [text[:2], text[1:]]
    candidates: list[int] = []
    for half in sorted(halves, key=len, reverse=True):
        for term_field in (TermField.NAME_START, TermField.NAME_INNER):
            candidates += _scan(terms, term_field, half, limit=FUZZY_CANDIDATES)
    candidates = [pk for pk in dict.fromkeys(candidates) if pk not in found]
    names = dict(Customer.objects.filter(pk__in=candidates).values_list("pk", "name"))
    return [pk for pk in candidates if _within_one_edit(text, fold(names.get(pk, "")).replace("-", ""))]


def _id_number_ids(base: QuerySet[Customer], text: str) -> list[int]:
    index = field_of(Customer, "id_number_digest")
    assert isinstance(index, BlindIndexField)
    digest = index.digest(normalise_resident_id(text))
    return list(base.filter(id_number_digest=digest).values_list("pk", flat=True)[:10]) if digest else []


def matching_ids(user: Any, query: Query, filters: CustomerFilters) -> dict[int, int]:
    """Ids of the customers `user` may see that match `query` and `filters`, with their rank,
    best first, at most `MAX_MATCHES`."""
    condition = filters.q(user, prefix="customer__")
    terms = access.visible(user, SearchTerm.objects.filter(condition))
    base = access.visible(user, Customer.objects.filter(filters.q(user)))
    found = _Collector()

    def scan(term_field: int, key: str, rank: int, *, exact: bool = False) -> None:
        """Add the matches of one index field, no more than there is room for: once the best
        `MAX_MATCHES` are in, the lower-ranked fields are not read at all."""
        if found.remaining:
            ids = _scan(terms, term_field, key, exact=exact, limit=found.remaining)
            if term_field in (TermField.NAME_START, TermField.NAME_INNER) and len(key) > KEY_LENGTH:
                ids = _long_name_ids(ids, key)
            found.add(ids, rank)

    text = query.text
    if "code" in query.kinds:
        scan(TermField.CODE, text.lower(), RANK_EXACT, exact=True)
        scan(TermField.CODE, text.lower(), RANK_PREFIX)
    if "uscc" in query.kinds:
        scan(TermField.USCC, normalise_uscc(text).lower(), RANK_EXACT, exact=True)
    if "id_number" in query.kinds:
        found.add(_id_number_ids(base, text), RANK_EXACT)
    if "phone" in query.kinds:
        reversed_digits = query.digits[::-1]
        scan(TermField.PHONE, reversed_digits, RANK_EXACT, exact=True)
        scan(TermField.PHONE, reversed_digits, RANK_CONTAINS)
    text = text.replace("-", "")  # names are keyed without dashes
    if "name" in query.kinds:
        scan(TermField.NAME_START, text, RANK_PREFIX)
        scan(TermField.NAME_INNER, text, RANK_CONTAINS)
    if "pinyin" in query.kinds:
        scan(TermField.PINYIN, text, RANK_CONTAINS)
    if "contact" in query.kinds:
        scan(TermField.CONTACT, text, RANK_CONTAINS)
    if "name" in query.kinds and not found.ranks:  # a typo: nothing matched as typed
        found.add(_fuzzy(terms, text, set(found.ranks)), RANK_FUZZY)
    return found.ranks


def _check_paging(ordering: str, page: int, page_size: int) -> None:
    errors = {}
    if ordering and ordering not in ORDERINGS:
        errors["ordering"] = ValidationError(
            _("Unknown ordering %(value)s; use one of: %(choices)s."),
            code="bad_ordering",
            params={"value": ordering, "choices": ", ".join(ORDERINGS)},
        )
    if page < 1:
        errors["page"] = ValidationError(_("Pages are numbered from 1."), code="bad_page")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        errors["page_size"] = ValidationError(
            _("A page holds 1 to %(limit)d customers."), code="bad_page_size", params={"limit": MAX_PAGE_SIZE}
        )
    if errors:
        raise ValidationError(errors)


def _order_field(ordering: str) -> str:
    direction = "-" if ordering.startswith("-") else ""
    name = ordering.lstrip("-")
    return direction + {"created": "created_at", "updated": "updated_at"}.get(name, name)


def customer_search(
    user: Any,
    *,
    q: str = "",
    filters: CustomerFilters = CustomerFilters(),  # noqa: B008 - frozen, never mutated
    ordering: str = "",
    page: int = 1,
    page_size: int = 20,
) -> SearchPage:
    """One page of the customers `user` may see that match `q` and `filters`.

    Without `q`: every matching customer, ordered by `ordering` (default: last updated first), with
    the total counted up to `MAX_COUNT` (`capped` beyond). With `q`: the best `MAX_MATCHES` matches
    by rank (or by `ordering` when given).
    Raises `ValidationError` (keyed by parameter) for bad input and `PermissionDeniedError` for a
    filter the user may not use.
    """
    _check_paging(ordering, page, page_size)
    offset = (page - 1) * page_size
    listing = Customer.objects.select_related("owner")
    if not q.strip():
        queryset = access.visible(user, listing.filter(filters.q(user)))
        if filters.tag:  # the only filter that joins a to-many relation
            queryset = queryset.distinct()
        # Counting a million rows on every page costs more than the page; count up to MAX_COUNT.
        total = queryset.order_by()[: MAX_COUNT + 1].count()
        order = _order_field(ordering or DEFAULT_ORDERING)
        customers = list(
            queryset.order_by(order, "-pk" if order.startswith("-") else "pk")[offset : offset + page_size]
        )
        return SearchPage(customers, min(total, MAX_COUNT), total > MAX_COUNT, page, page_size)
    query = parse_query(q)
    if not query.text and not query.digits:
        return SearchPage([], 0, False, page, page_size, notice=str(NOTHING_TO_SEARCH))
    ranks = matching_ids(user, query, filters)
    ordered = list(ranks)
    if ordering:
        ordered = list(
            Customer.objects.filter(pk__in=ordered)
            .order_by(_order_field(ordering), "pk")
            .values_list("pk", flat=True)
        )
    else:
        ordered.sort(key=lambda pk: ranks[pk])  # stable: key order within a rank
    window = ordered[offset : offset + page_size]
    by_pk = listing.in_bulk(window)
    customers = [by_pk[pk] for pk in window if pk in by_pk]
    return SearchPage(
        customers,
        len(ordered),
        len(ordered) >= MAX_MATCHES,
        page,
        page_size,
        ranks={pk: ranks[pk] for pk in window},
    )


def ranked_ids(user: Any, q: str, filters: CustomerFilters = CustomerFilters()) -> tuple[list[int], str]:  # noqa: B008
    """For the staff list: the ids matching `q` in rank order, or a notice when there is nothing
    to look for. Raises `ValidationError` for a query that is too long."""
    query = parse_query(q)
    if not query.text and not query.digits:
        return [], str(NOTHING_TO_SEARCH)
    return list(matching_ids(user, query, filters)), ""


__all__ = [
    "MAX_MATCHES",
    "MAX_PAGE_SIZE",
    "ORDERINGS",
    "CustomerFilters",
    "SearchPage",
    "customer_search",
    "ranked_ids",
    "rebuild_search_index",
    "reindex_customers",
    "terms_for",
]

"""The one customer search: every kind of query, typo tolerance, ranking, bad input, access, and the
index kept current by the services. Runs unchanged on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from freightcrm.conftest import valid_resident_id
from freightcrm.core.errors import PermissionDeniedError
from freightcrm.customers.models import Contact, SearchTerm
from freightcrm.customers.search import (
    MAX_MATCHES,
    RANK_EXACT,
    RANK_FUZZY,
    RANK_PREFIX,
    CustomerFilters,
    customer_search,
    rebuild_search_index,
)
from freightcrm.customers.services import customer_part_delete, customer_part_save, customer_update

pytestmark = pytest.mark.django_db

ID_NUMBER = valid_resident_id("19851120", 123)


@pytest.fixture
def archive(make_customer, admin_user, role_user):
    owner = role_user("account_manager")
    made = {
        "yunda_sh": make_customer(
            name="上海韵达货运有限公司",
            short_name="上海韵达",
            mobile="13812345678",
            phone="021-68888888",
            owner=owner,
        ),
        "yunda_holding": make_customer(name="韵达控股股份有限公司", address="浙江省杭州市桐庐县迎春南路"),
        "yunda_bj": make_customer(name="北京韵达快递服务有限公司", address="北京市朝阳区建国路1号"),
        "yuntong": make_customer(name="上海韵通物流有限公司", mobile="13900005678"),
        "sf": make_customer(name="顺丰速运有限公司", address="广东省深圳市南山区科技园"),
        "person": make_customer(
            kind="P",
            name="陈晓明",
            uscc=None,
            mobile="13700001234",
            id_number=ID_NUMBER,
            address="上海市黄浦区南京东路1号",
        ),
    }
    customer_part_save(
        actor=admin_user,
        part=Contact(customer=made["sf"], name="王建国", mobile="13600002468", is_primary=True),
    )
    return made


def names(page) -> list[str]:
    return [customer.name for customer in page.customers]


def search(admin_user, q, **kwargs):
    return customer_search(admin_user, q=q, **kwargs)


def test_two_chinese_characters_find_names_containing_them_prefix_first(admin_user, archive):
    page = search(admin_user, "韵达")
    assert names(page)[0] == "韵达控股股份有限公司"  # starts with the query
    assert set(names(page)) == {"韵达控股股份有限公司", "上海韵达货运有限公司", "北京韵达快递服务有限公司"}
    assert page.total == 3 and not page.capped
    assert "上海韵通物流有限公司" not in names(search(admin_user, "韵达"))
    assert names(search(admin_user, "顺丰")) == ["顺丰速运有限公司"]


def test_one_character_and_longer_fragments(admin_user, archive):
    assert set(names(search(admin_user, "韵"))) >= {"上海韵通物流有限公司", "上海韵达货运有限公司"}
    assert names(search(admin_user, "韵达货运")) == ["上海韵达货运有限公司"]
    assert names(search(admin_user, "上海韵达货运有限公司")) == ["上海韵达货运有限公司"]
    assert names(search(admin_user, "　上海 韵达　")) == ["上海韵达货运有限公司"]  # full-width spaces


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("shyd", "上海韵达货运有限公司"),
        ("SHYD", "上海韵达货运有限公司"),
        ("yunda", "韵达控股股份有限公司"),
        ("shanghaiyunda", "上海韵达货运有限公司"),
        ("sfsy", "顺丰速运有限公司"),
        ("cxm", "陈晓明"),
    ],
)
def test_pinyin_full_and_initials(admin_user, archive, query, expected):
    assert expected in names(search(admin_user, query))


def test_phone_numbers_full_or_last_digits_exact_first(admin_user, archive):
    assert names(search(admin_user, "13812345678")) == ["上海韵达货运有限公司"]
    assert names(search(admin_user, "+86 138-1234-5678")) == ["上海韵达货运有限公司"]
    assert names(search(admin_user, "68888888")) == ["上海韵达货运有限公司"]
    assert names(search(admin_user, "021 6888 8888")) == ["上海韵达货运有限公司"]
    assert set(names(search(admin_user, "5678"))) == {"上海韵达货运有限公司", "上海韵通物流有限公司"}
    assert names(search(admin_user, "2468")) == ["顺丰速运有限公司"]  # a contact's mobile
    page = search(admin_user, "13900005678")
    assert page.ranks[archive["yuntong"].pk] == RANK_EXACT


def test_codes_credit_codes_and_resident_ids_are_exact_matches(admin_user, archive):
    customer = archive["yunda_bj"]
    page = search(admin_user, customer.code)
    assert names(page)[0] == customer.name and page.ranks[customer.pk] == RANK_EXACT
    assert names(search(admin_user, customer.code.lower())) == [customer.name]
    prefix = customer.code[:8]  # E-110105
    assert customer.name in names(search(admin_user, prefix))
    assert names(search(admin_user, customer.uscc)) == [customer.name]
    assert names(search(admin_user, ID_NUMBER)) == ["陈晓明"]
    assert names(search(admin_user, ID_NUMBER.lower())) == ["陈晓明"]


def test_contact_names(admin_user, archive):
    assert names(search(admin_user, "王建国")) == ["顺丰速运有限公司"]
    assert names(search(admin_user, "建国")) == ["顺丰速运有限公司"]


@pytest.mark.parametrize("typo", ["上海韵大货运", "上海韵货运", "上海韵达达货运", "北京韵达快第"])
def test_one_wrong_missing_or_extra_character_still_finds_the_name(admin_user, archive, typo):
    page = search(admin_user, typo)
    assert page.customers, typo
    assert page.ranks[page.customers[0].pk] == RANK_FUZZY


def test_exact_before_prefix_before_contains_before_fuzzy(admin_user, archive, make_customer):
    named_like_a_code = make_customer(name=f"{archive['sf'].code}仓储")  # contains the code as a name
    page = search(admin_user, archive["sf"].code)
    assert page.customers[0] == archive["sf"]
    assert page.ranks[archive["sf"].pk] == RANK_EXACT
    assert page.ranks[named_like_a_code.pk] == RANK_PREFIX


@pytest.mark.parametrize("query", ["%", "_", "*", "%%%", "😀", "   ", "🚚📦", "()", "''"])
def test_nothing_to_search_for_is_a_clear_empty_result(admin_user, archive, query):
    page = search(admin_user, query)
    if query.strip():
        assert page.customers == [] and page.total == 0 and page.notice
    else:
        assert page.total == len(archive)  # no query: the plain list


@pytest.mark.parametrize(
    "query", ["' OR 1=1 --", "韵%", "%韵达%", "韵_", "Robert'); DROP TABLE customers;--", "韵达abc", "ㄅㄆ"]
)
def test_sql_like_wildcards_and_mixed_scripts_never_match_everything(admin_user, archive, query):
    page = search(admin_user, query)
    assert page.total < len(archive)


def test_huge_query_is_refused_with_a_message(admin_user, archive):
    with pytest.raises(ValidationError) as error:
        search(admin_user, "韵" * 10_000)
    assert "q" in error.value.message_dict


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"page": 0}, "page"), ({"page_size": 1000}, "page_size"), ({"ordering": "password"}, "ordering")],
)
def test_bad_paging_is_refused(admin_user, kwargs, field):
    with pytest.raises(ValidationError) as error:
        customer_search(admin_user, q="韵达", **kwargs)
    assert field in error.value.message_dict


def test_account_manager_finds_only_their_customers(role_user, archive):
    owner = role_user("account_manager")
    assert names(customer_search(owner, q="韵达")) == ["上海韵达货运有限公司"]
    assert names(customer_search(owner, q="顺丰")) == []
    assert customer_search(owner).total == 1


def test_filters_narrow_the_search(admin_user, archive):
    beijing = CustomerFilters(region="北京市")
    assert names(customer_search(admin_user, q="韵达", filters=beijing)) == ["北京韵达快递服务有限公司"]
    assert names(customer_search(admin_user, q="韵达", filters=CustomerFilters(region="3101"))) == [
        "上海韵达货运有限公司"
    ]
    assert customer_search(admin_user, q="陈", filters=CustomerFilters(kind="E")).total == 0


def test_grade_filter_needs_finance_access(role_user, archive):
    with pytest.raises(PermissionDeniedError):
        customer_search(role_user("front_desk"), q="韵达", filters=CustomerFilters(grade="A"))
    assert customer_search(role_user("manager"), filters=CustomerFilters(grade="A")).total == 0


def test_paging_and_explicit_ordering(admin_user, archive):
    first = customer_search(admin_user, q="韵达", page=1, page_size=2)
    second = customer_search(admin_user, q="韵达", page=2, page_size=2)
    assert len(first.customers) == 2 and len(second.customers) == 1
    assert not set(first.customers) & set(second.customers)
    by_name = customer_search(admin_user, q="韵达", ordering="-name")
    assert names(by_name) == sorted(names(by_name), reverse=True)
    assert customer_search(admin_user, q="韵达", page=9).customers == []


def test_results_are_capped(admin_user, make_customer, monkeypatch):
    from freightcrm.customers import search as module

    monkeypatch.setattr(module, "MAX_MATCHES", 3)
    for _ in range(5):
        make_customer()
    page = customer_search(admin_user, q="恒通")
    assert page.total == 3 and page.capped


def test_index_follows_every_change(admin_user, archive):
    customer = archive["sf"]
    customer_update(actor=admin_user, customer=customer, version=customer.version, name="顺丰控股有限公司")
    assert names(search(admin_user, "顺丰速运")) == []
    assert names(search(admin_user, "顺丰控股")) == ["顺丰控股有限公司"]
    contact = Contact.objects.get(customer=customer)
    customer_part_delete(actor=admin_user, part=contact)
    assert names(search(admin_user, "王建国")) == []
    customer_part_save(
        actor=admin_user, part=Contact(customer=customer, name="欧阳娜娜", mobile="13500001357")
    )
    assert names(search(admin_user, "欧阳")) == ["顺丰控股有限公司"]
    assert names(search(admin_user, "1357")) == ["顺丰控股有限公司"]


@pytest.mark.parametrize(("batch_size", "workers"), [(5_000, 1), (2, 2)])
def test_rebuild_gives_the_same_index_as_the_services(admin_user, archive, batch_size, workers):
    before = set(SearchTerm.objects.values_list("kind", "key", "customer_id"))
    counted = []
    assert rebuild_search_index(batch_size=batch_size, workers=workers, progress=counted.append) == len(
        archive
    )
    assert sum(counted) == len(archive)
    assert set(SearchTerm.objects.values_list("kind", "key", "customer_id")) == before
    assert names(search(admin_user, "韵达"))[0] == "韵达控股股份有限公司"  # indexes rebuilt and used


def test_deleting_a_customer_drops_its_terms(admin_user, archive):
    from freightcrm.customers.services import customer_delete

    customer = archive["yuntong"]
    customer_delete(actor=admin_user, customer=customer)
    assert not SearchTerm.objects.filter(customer_id=customer.pk).exists()


def test_search_key_is_compared_in_code_point_order(db):
    """The range scan needs code point order; on PostgreSQL the column says COLLATE "C"."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite compares text in code point order already")
    with connection.cursor() as cursor:
        cursor.execute(
            "select collation_name from information_schema.columns "
            "where table_name = %s and column_name = 'key'",
            [SearchTerm._meta.db_table],
        )
        assert cursor.fetchone()[0] == "C"


def test_staff_list_uses_the_same_search_in_rank_order(client, admin_user, archive):
    client.force_login(admin_user)
    response = client.get(reverse("admin:customers_customer_changelist"), {"q": "韵达"})
    assert response.status_code == 200
    text = response.text
    assert text.index("韵达控股股份有限公司") < text.index("上海韵达货运有限公司")
    assert "上海韵通物流有限公司" not in text
    filtered = client.get(
        reverse("admin:customers_customer_changelist"), {"q": "韵达", "province__exact": "北京市"}
    )
    assert "北京韵达快递服务有限公司" in filtered.text and "上海韵达货运有限公司" not in filtered.text
    for query in ("%", "韵" * 10_000, "😀"):
        response = client.get(reverse("admin:customers_customer_changelist"), {"q": query})
        assert response.status_code == 200


def test_max_matches_is_a_sensible_bound():
    assert 100 <= MAX_MATCHES <= 10_000


def test_card_header_searches_through_the_same_list(client, admin_user, archive):
    client.force_login(admin_user)
    card = client.get(reverse("admin:customers_customer_card", args=[archive["sf"].pk]))
    assert f'action="{reverse("admin:customers_customer_changelist")}"' in card.text
    assert 'name="q"' in card.text


@pytest.mark.parametrize(
    "text", ["上海韵达货运", "重庆长安汽车", "厦门银行", "成都大学", "佛山南海", "DHL中国", "王建国"]
)
def test_cached_pinyin_is_pypinyins_own(text):
    from pypinyin import lazy_pinyin

    from freightcrm.customers.search import to_pinyin

    assert to_pinyin(text) == lazy_pinyin(text)


def test_plain_list_counts_up_to_a_bound(admin_user, make_customer, monkeypatch):
    from freightcrm.customers import search as module

    monkeypatch.setattr(module, "MAX_COUNT", 2)
    for _ in range(3):
        make_customer()
    page = customer_search(admin_user)
    assert (page.total, page.capped, len(page.customers)) == (2, True, 3)
    newest_first = customer_search(admin_user, ordering="-updated")
    assert newest_first.customers == sorted(
        newest_first.customers, key=lambda customer: (customer.updated_at, customer.pk), reverse=True
    )

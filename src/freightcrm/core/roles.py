"""The staff roles, as Django groups with least privilege.

Groups are created by a migration (`core/migrations/0002_roles.py`); their permissions are set
after every `migrate` (`sync_role_permissions`), because Django creates permissions only then.
The built-in roles are reset to this table on each migrate: to give someone a different mix,
make a new group rather than editing these.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

CRUD = ("view", "add", "change", "delete")


def _model_perms(app: str, model: str, actions: tuple[str, ...] = CRUD) -> set[str]:
    return {f"{app}.{action}_{model}" for action in actions}


ARCHIVE_READ = {
    "customers.view_customer",
    "customers.view_contact",
    "customers.view_address",
    "customers.view_logisticsneed",
    "customers.view_tag",
    "customers.view_all_customers",
}
CUSTOMER_PARTS = ("contact", "address", "logisticsneed", "document")
# Everyone who may be assigned work sees (and ticks off) their own due list; managers see others'.
OWN_DUE_LIST = {"service.view_dueitem"}
OTHERS_DUE_LISTS = {"service.view_dueitem", "service.view_others_due_items"}
# Complaints (service app): who receives them, who handles them, who measures them.
COMPLAINT_FILE = {"service.view_complaint", "service.add_complaint", "service.view_complaintevent"}
COMPLAINT_HANDLE = COMPLAINT_FILE | {"service.change_complaint"}
COMPLAINT_STATISTICS = {"service.view_complaint_statistics", "service.view_complainttarget"}
# Return visits, surveys, calls and notes (service app). Rows are still limited to the customers a
# user may see (core.access), so "view" for an account manager means their own portfolio.
SERVICE_READ = {
    "service.view_visit",
    "service.view_visitrule",
    "service.view_interaction",
    "service.view_surveyinvitation",
    "service.view_surveytemplate",
}
ACCOUNT_SERVICE = SERVICE_READ | {
    "service.add_visit",
    "service.change_visit",
    "service.add_interaction",
    "service.add_surveyinvitation",
}
# Intake (intake app): importing spreadsheets, exporting the list, the review queue (审核).
IMPORT = {
    "intake.run_import",
    "intake.view_importjob",
    "intake.add_importjob",
    "intake.change_importjob",
    "intake.view_columnmapping",
    "intake.add_columnmapping",
    "intake.change_columnmapping",
}
EXPORT = {"intake.export_customers"}
REVIEW = {"intake.view_submission", "intake.review_submission", "intake.change_submission"}
INTAKE_AUDIT = {
    "intake.view_importjob",
    "intake.view_all_imports",
    "intake.view_submission",
    "intake.view_exportlog",
}
# Looking up a shipment means reading its event trail too.
SHIPMENT_READ = {"shipments.view_shipment", "shipments.view_shipmentevent"}


@dataclass(frozen=True)
class Role:
    slug: str
    label: Promise
    duty: Promise
    permissions: frozenset[str]


def _role(slug: str, label: Promise, duty: Promise, permissions: set[str]) -> Role:
    return Role(slug, label, duty, frozenset(permissions))


ROLES: tuple[Role, ...] = (
    _role(
        "front_desk",
        _("Front desk"),
        _("Looks up any customer, their contacts and shipments; never finance; sensitive values masked."),
        ARCHIVE_READ
        | SHIPMENT_READ
        | {"service.view_visit", "service.view_interaction", "service.add_interaction"}
        | COMPLAINT_FILE
        | OWN_DUE_LIST,
    ),
    _role(
        "account_manager",
        _("Account manager"),
        _("Keeps their own portfolio (and customers shared with them): files and edits archives."),
        {
            "customers.view_customer",
            "customers.add_customer",
            "customers.change_customer",
            "customers.view_tag",
            "customers.view_finance",
            "customers.view_customershare",
            "shipments.view_shipment",
            "shipments.view_shipmentevent",
        }
        | ACCOUNT_SERVICE
        | COMPLAINT_HANDLE
        | {perm for part in CUSTOMER_PARTS for perm in _model_perms("customers", part)}
        | IMPORT
        | EXPORT
        | {"intake.view_submission"}
        | OWN_DUE_LIST,
    ),
    _role(
        "records_clerk",
        _("Records clerk"),
        _(
            "Keeps the whole archive: files, checks, classifies, reassigns; "
            "may read full ID and bank numbers."
        ),
        ARCHIVE_READ
        | {
            "customers.add_customer",
            "customers.change_customer",
            "customers.view_finance",
            "customers.assign_owner",
            "customers.view_full_id_number",
            "customers.view_full_bank_account",
            "shipments.view_shipment",
            "service.view_visit",
            "service.view_interaction",
            "shipments.view_shipmentevent",
        }
        | _model_perms("customers", "tag", ("view", "add", "change"))
        | _model_perms("customers", "customershare")
        | {perm for part in CUSTOMER_PARTS for perm in _model_perms("customers", part)}
        | IMPORT
        | EXPORT
        | {"intake.export_sensitive", "intake.view_all_imports"}
        | REVIEW
        | OWN_DUE_LIST,
    ),
    _role(
        "credit_analyst",
        _("Credit analyst"),
        _(
            "Reads every archive with its finance; changes only credit and payment fields; "
            "sees full bank accounts."
        ),
        ARCHIVE_READ
        | {
            "customers.view_finance",
            "customers.change_finance",
            "customers.view_document",
            "customers.view_full_bank_account",
            "shipments.view_shipment",
            "shipments.view_shipmentevent",
        }
        | EXPORT
        | OWN_DUE_LIST,
    ),
    _role(
        "operations",
        _("Operations"),
        _("Reads archives and logistics needs for planning; keeps shipments; no finance."),
        ARCHIVE_READ
        | SHIPMENT_READ
        | _model_perms("shipments", "shipment", ("view", "add", "change"))
        | {"shipments.add_shipmentevent"}
        | COMPLAINT_HANDLE
        | COMPLAINT_STATISTICS
        | OWN_DUE_LIST,
    ),
    _role(
        "manager",
        _("Manager"),
        _("Reads everything including finance (sensitive values masked); reassigns accounts."),
        ARCHIVE_READ
        | {
            "customers.view_finance",
            "customers.view_document",
            "customers.assign_owner",
            "customers.change_customer",
            "shipments.view_shipment",
            "shipments.view_shipmentevent",
        }
        | _model_perms("customers", "customershare")
        | COMPLAINT_HANDLE
        | COMPLAINT_STATISTICS
        | _model_perms("service", "complainttarget", ("view", "change"))
        | _model_perms("service", "complaintcategory", ("view", "add", "change"))
        | OTHERS_DUE_LISTS
        | SERVICE_READ
        | EXPORT
        | INTAKE_AUDIT
        | _model_perms("service", "visitrule", ("add", "change", "delete"))
        | _model_perms("service", "surveytemplate", ("add", "change"))
        | _model_perms("service", "surveyquestion", ("view", "add", "change", "delete")),
    ),
    _role(
        "auditor",
        _("Auditor"),
        _("Reads everything and its history, changes nothing; sensitive values masked."),
        ARCHIVE_READ
        | {
            "customers.view_finance",
            "customers.view_document",
            "customers.view_customershare",
            "customers.view_historicalcustomer",
            "customers.view_historicalcontact",
            "shipments.view_shipment",
            "service.view_surveyquestion",
            "shipments.view_shipmentevent",
            "auth.view_user",
            "auth.view_group",
            "service.view_complaint",
            "service.view_complaintevent",
            "service.view_complaintcategory",
        }
        | COMPLAINT_STATISTICS
        | OTHERS_DUE_LISTS
        | SERVICE_READ
        | INTAKE_AUDIT,
    ),
    _role(
        "admin",
        _("Administrator"),
        _("Runs the system: every permission, including users and roles."),
        set(),  # every permission: filled in by sync_role_permissions
    ),
)
ROLE_BY_SLUG = {role.slug: role for role in ROLES}


def role_label(slug: str) -> str:
    """The role's name in the user's language (the group's name is its stable slug)."""
    role = ROLE_BY_SLUG.get(slug)
    return str(role.label) if role else slug


ALL_PERMISSIONS = "admin"


def sync_role_permissions(**_kwargs: object) -> None:
    """Set each built-in role's permissions to the table above (run after every migrate)."""
    from django.contrib.auth.models import Group, Permission

    every = Permission.objects.select_related("content_type")
    by_name = {f"{p.content_type.app_label}.{p.codename}": p for p in every}
    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role.slug)
        if role.slug == ALL_PERMISSIONS:
            group.permissions.set(by_name.values())
            continue
        # Permissions of apps not migrated yet are granted by the migrate that creates them.
        group.permissions.set([by_name[name] for name in role.permissions if name in by_name])

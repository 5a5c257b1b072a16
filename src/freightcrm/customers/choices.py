"""Choice lists of the customer archive. Labels are translatable; Chinese is the default language."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerKind(models.TextChoices):
    INDIVIDUAL = "P", _("Individual")
    ENTERPRISE = "E", _("Enterprise")
    INSTITUTION = "I", _("Institution")
    PARTNER = "S", _("Supply-chain partner")
    INTERNAL = "N", _("Internal customer")


ORGANISATION_KINDS = {CustomerKind.ENTERPRISE, CustomerKind.INSTITUTION, CustomerKind.PARTNER}


class Status(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Dormant")
    LOST = "lost", _("Lost")
    BLACKLISTED = "blacklisted", _("Blacklisted")


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Industry(models.TextChoices):
    ECOMMERCE = "ecommerce", _("E-commerce and retail")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    AUTOMOTIVE = "automotive", _("Automotive and parts")
    ELECTRONICS = "electronics", _("Electronics")
    FOOD = "food", _("Food and beverages")
    FRESH = "fresh", _("Fresh produce")
    PHARMA = "pharma", _("Pharmaceuticals and medical")
    CHEMICALS = "chemicals", _("Chemicals")
    TEXTILES = "textiles", _("Textiles and apparel")
    FURNITURE = "furniture", _("Furniture and building materials")
    MACHINERY = "machinery", _("Machinery and equipment")
    AGRICULTURE = "agriculture", _("Agriculture")
    ENERGY = "energy", _("Energy and mining")
    TRADE = "trade", _("Import and export trade")
    LOGISTICS = "logistics", _("Logistics and transport")
    PUBLIC = "public", _("Public sector and education")
    OTHER = "other", _("Other")


class CompanySize(models.TextChoices):
    MICRO = "micro", _("Micro (under 10 staff)")
    SMALL = "small", _("Small (10–99)")
    MEDIUM = "medium", _("Medium (100–999)")
    LARGE = "large", _("Large (1,000 and more)")


class Ownership(models.TextChoices):
    STATE = "state", _("State-owned")
    PRIVATE = "private", _("Private")
    FOREIGN = "foreign", _("Foreign-invested")
    JOINT = "joint", _("Joint venture")
    COLLECTIVE = "collective", _("Collective")
    PUBLIC_INSTITUTION = "institution", _("Public institution")
    INDIVIDUAL_BUSINESS = "individual", _("Individual business")


class Potential(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class IncomeBand(models.TextChoices):
    LOW = "low", _("Income under CNY 60,000 a year")
    MIDDLE = "middle", _("Income CNY 60,000–200,000 a year")
    HIGH = "high", _("Income over CNY 200,000 a year")


class CreditGrade(models.TextChoices):
    AAA = "AAA", "AAA"
    AA = "AA", "AA"
    A = "A", "A"
    BBB = "BBB", "BBB"
    BB = "BB", "BB"
    B = "B", "B"
    C = "C", "C"


class PaymentTerms(models.TextChoices):
    PREPAID = "prepaid", _("Prepaid")
    ON_DELIVERY = "cod", _("Cash on delivery")
    PER_SHIPMENT = "per_shipment", _("Pay per shipment")
    MONTHLY = "monthly", _("Monthly settlement")
    CREDIT = "credit", _("Credit (net days)")


class Currency(models.TextChoices):
    CNY = "CNY", _("Renminbi (CNY)")
    USD = "USD", _("US dollar (USD)")
    EUR = "EUR", _("Euro (EUR)")
    HKD = "HKD", _("Hong Kong dollar (HKD)")
    JPY = "JPY", _("Japanese yen (JPY)")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    WECHAT = "wechat", _("WeChat")
    EMAIL = "email", _("E-mail")
    VISIT = "visit", _("Visit")
    PORTAL = "portal", _("Web portal")
    EDI = "edi", _("EDI / API")
    SMS = "sms", _("SMS")


class ContactRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    LOGISTICS_MANAGER = "logistics_manager", _("Logistics manager")
    SHIPPING_CLERK = "shipping_clerk", _("Shipping clerk")
    FINANCE = "finance", _("Finance")
    PURCHASING = "purchasing", _("Purchasing")
    WAREHOUSE = "warehouse", _("Warehouse")
    OTHER = "other", _("Other")


class AddressKind(models.TextChoices):
    REGISTERED = "registered", _("Registered address")
    OFFICE = "office", _("Office address")
    WAREHOUSE = "warehouse", _("Warehouse")
    PICKUP = "pickup", _("Pick-up point")
    DELIVERY = "delivery", _("Delivery point")
    HOME = "home", _("Home address")


class Mode(models.TextChoices):
    ROAD = "road", _("Road (FTL/LTL)")
    RAIL = "rail", _("Rail")
    SEA = "sea", _("Sea")
    AIR = "air", _("Air")
    EXPRESS = "express", _("Express / parcel")
    WAREHOUSING = "warehousing", _("Warehousing")
    MULTIMODAL = "multimodal", _("Multimodal")


class CargoType(models.TextChoices):
    GENERAL = "general", _("General cargo")
    COLD_CHAIN = "cold_chain", _("Cold chain")
    HAZARDOUS = "hazardous", _("Hazardous goods")
    FRAGILE = "fragile", _("Fragile")
    OVERSIZED = "oversized", _("Oversized / heavy")
    BULK = "bulk", _("Bulk")
    VALUABLE = "valuable", _("High value")
    DOCUMENTS = "documents", _("Documents and parcels")


class Temperature(models.TextChoices):
    AMBIENT = "ambient", _("Ambient")
    CONTROLLED = "controlled", _("Controlled 15–25 °C")
    CHILLED = "chilled", _("Chilled 2–8 °C")
    FROZEN = "frozen", _("Frozen −18 °C")
    DEEP_FROZEN = "deep_frozen", _("Deep frozen −60 °C")


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    SEASONAL = "seasonal", _("Seasonal")
    AD_HOC = "ad_hoc", _("Ad hoc")


class VolumeUnit(models.TextChoices):
    TONNES = "t", _("tonnes")
    CUBIC_METRES = "m3", _("cubic metres")
    TEU = "teu", _("TEU")
    PALLETS = "pallets", _("pallets")
    PIECES = "pieces", _("pieces")


class DocumentType(models.TextChoices):
    CONTRACT = "contract", _("Contract")
    LETTER = "letter", _("Letter / fax")
    CALL_RECORD = "call_record", _("Call record")
    NEGOTIATION = "negotiation", _("Negotiation notes")
    FINANCIAL_REPORT = "financial_report", _("Annual financial report")
    LICENCE = "licence", _("Business licence / certificate")
    OTHER = "other", _("Other")


FINANCE_DOCUMENT_TYPES = {DocumentType.FINANCIAL_REPORT}


class ReviewState(models.TextChoices):
    """A customer's place in review before filing (审核): records filed by import, OCR or the
    customer's own form wait as pending until a records clerk approves or rejects them. Only
    approved customers are the archive (`intake` keeps the review queue)."""

    PENDING = "pending", _("pending review")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")

"""Freight CRM (物流客户信息管理系统): the customer archive of a logistics company."""

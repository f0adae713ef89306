from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "frontdesk.customers"
    label = "customers"
    verbose_name = "Customers"

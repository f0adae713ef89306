from django.apps import AppConfig


class BrandsConfig(AppConfig):
    name = "frontdesk.brands"
    label = "brands"
    verbose_name = "Brands"

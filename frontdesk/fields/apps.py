from django.apps import AppConfig


class FieldsConfig(AppConfig):
    name = "frontdesk.fields"
    label = "fields"
    verbose_name = "Custom fields and tags"

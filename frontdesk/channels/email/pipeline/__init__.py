"""The inbound pipeline (DESIGN.md §6): store → preflight → parse → identify → thread → write.

Each step is a small module; ``receive.py`` runs them in one transaction.
"""

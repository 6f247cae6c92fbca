"""The user actions as pure values (``Op``): what each checks and what it changes.

``model.domain.operations.apply`` runs them; the services and the importer share them.
"""

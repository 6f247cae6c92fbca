"""Durable storage: SQLAlchemy tables, the engine/session factory, and queries.

Nothing outside ``model`` touches a session; faces call services and queries.
"""
from model.store.engine import Store, default_database_url, open_store

__all__ = ["Store", "open_store", "default_database_url"]

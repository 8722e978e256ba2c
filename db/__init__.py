"""Storage: SQLAlchemy 2 models, the engine/session factory and Alembic migrations. Never imports Qt."""

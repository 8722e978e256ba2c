"""Alembic environment: run with the connection the program hands over (db/schema.py)."""
from alembic import context

import db.models  # noqa: F401 - registers every table
from db.base import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # `alembic` command line during development
    from sqlalchemy import create_engine
    connection = create_engine(config.get_main_option("sqlalchemy.url")).connect()

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()

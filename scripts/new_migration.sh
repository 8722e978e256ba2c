#!/usr/bin/env bash
# Developer tool: autogenerate an Alembic revision from db/models against a scratch SQLite database
# upgraded to the current head. Review the generated file before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
msg=${1:?usage: scripts/new_migration.sh "message"}
PY=${PYTHON:-.venv/bin/python}
"$PY" - "$msg" <<'PY'
import sys, tempfile, os
from alembic import command
from sqlalchemy import create_engine
from db.schema import alembic_config
d = tempfile.mkdtemp()
engine = create_engine(f"sqlite:///{d}/scratch.sqlite")
with engine.begin() as conn:
    command.upgrade(alembic_config(conn), "head")
with engine.begin() as conn:
    command.revision(alembic_config(conn), message=sys.argv[1], autogenerate=True)
PY

"""The live exercise server: FastAPI, SQLAlchemy, Alembic; human and software delegations."""

"""All the SQL of newsweave: SQLAlchemy 2 Core tables, Alembic migrations, SQLite and PostgreSQL."""

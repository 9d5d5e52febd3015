"""Where the desk's data lives: tables, migrations, connections and transactions.

`tables.py` states every table once (SQLAlchemy Core); `store.py` opens a desk
and hands out read and write transactions (`transaction.py`); `records.py` are
the rows a write changes field by field; `prepared.py` runs the hot statements
on the driver directly; `backup.py` copies and restores a SQLite desk;
`files.py` writes every file a user names (exports, backups) without ever
writing onto the desk's own; `waiting.py` lets a long job know a writer
waits. Nothing above this room builds an engine or a connection.
"""

__all__ = [
    "backup",
    "columns",
    "connect",
    "files",
    "migrate",
    "prepared",
    "records",
    "rows",
    "store",
    "tables",
    "transaction",
    "waiting",
]

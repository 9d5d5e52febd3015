"""What a value may be: the checks that turn what people type into the desk's values.

`schemas.py` validates intake objects and roster rows; `settings.py` is the
settings model, each key checked when it is set; `endpoints.py` checks the
addresses, hosts and URLs delivery will use; `csv_cells.py` keeps a CSV cell
from being read as a spreadsheet formula. Pure, like `rules/` below it: no
database, no clock.
"""

__all__ = ["csv_cells", "endpoints", "schemas", "settings"]

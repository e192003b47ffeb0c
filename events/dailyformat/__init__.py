"""The daily format (DESIGN.md §2): parse it, import it as a draft issue, export an issue to it.

- `parser.parse(text)` → plain typed values with line numbers and warnings (no models);
- `importer.import_bytes(data, user=, replace=)` → a draft issue, in one transaction;
- `writer.write_markdown(issue)` / `writer.write_text(issue)` → the format / a plain digest.
"""

from .parsed import DailyFormatError
from .text import Diagnostic

__all__ = ["DailyFormatError", "Diagnostic"]

"""Importing files into a store, all or nothing: kwtrack's own files and Alibaba.com's reports.

- `spec`: what a kind is (columns, key, writer); `registry`: every kind by name;
- `files`: reading CSV/TSV/XLS/XLSX/JSON rows; `chunks`: parsing them a chunk at a time;
- `detect`: a file's header row, kind and period;
- `canonical`: kwtrack's own kinds and their writers; `reports`: Alibaba.com's layouts;
- `run`: one import's state; `session`: `import_file`, the one way in.
"""

from kwtrack.imports.canonical import KEYWORD_METRICS, PRODUCT_FIELDS, PRODUCT_METRICS
from kwtrack.imports.registry import ALIASES, KEYWORD_STATS_KINDS, KINDS
from kwtrack.imports.session import (
    ImportLine,
    ImportResult,
    import_file,
    import_files,
    list_imports,
)
from kwtrack.imports.spec import Period
from kwtrack.imports.undo import newest_import, undo_import

__all__ = ["ALIASES", "KEYWORD_METRICS", "KEYWORD_STATS_KINDS", "KINDS", "PRODUCT_FIELDS",
           "PRODUCT_METRICS", "ImportLine", "ImportResult", "Period", "import_file", "import_files",
           "list_imports",
           "newest_import", "undo_import"]

"""sqlite-utils' `Database`, imported without numpy and pandas.

sqlite-utils imports numpy and pandas whenever they are installed, only to map their number
types to column types; the project store never hands it either. Importing numpy costs about
0.1 s and pandas far more, on every `citecheck check`, so while sqlite-utils loads they are
made to look absent. A program that already imported them keeps them, and sqlite-utils sees
them.
"""

from __future__ import annotations

import sys

_HIDDEN = ("numpy", "pandas")
_absent = [name for name in _HIDDEN if name not in sys.modules]
for _name in _absent:
    sys.modules[_name] = None  # type: ignore[assignment]  # "import numpy" now fails at once
try:
    from sqlite_utils import Database
finally:
    for _name in _absent:
        if sys.modules.get(_name, 0) is None:
            del sys.modules[_name]

__all__ = ["Database"]

"""citecheck: list, check and archive every link and claim of a document."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = [
    "Claim",
    "Document",
    "Inventory",
    "Link",
    "Problem",
    "__version__",
    "scan",
]


def __getattr__(name: str) -> object:
    # Imported lazily so `import citecheck` stays cheap for the CLI's --help and --version.
    if name == "scan":
        from citecheck.scan import scan

        return scan
    if name in ("Claim", "Document", "Inventory", "Link", "Problem"):
        from citecheck import model

        return getattr(model, name)
    raise AttributeError(name)

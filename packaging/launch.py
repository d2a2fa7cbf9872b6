"""The frozen app's entry point (PyInstaller needs a script, not a console-script entry)."""

import multiprocessing

from citecheck.gui.app import main

if __name__ == "__main__":
    # Large documents detect claims in worker processes; a frozen app must route them here.
    multiprocessing.freeze_support()
    raise SystemExit(main())

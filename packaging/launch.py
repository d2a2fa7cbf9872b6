"""The frozen app's entry point (PyInstaller needs a script, not a console-script entry)."""

from citecheck.gui.app import main

raise SystemExit(main())

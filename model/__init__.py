"""cosell's core: domain rules, storage and services, free of any UI.

The TUI (``tui``) and the CLI (``cli``) are thin faces over this package; a rule
is written once, here, and every face gets it.
"""

"""`python -m assistant ...` is the same as the `assistant` command."""

from .terminal.cli import main

main()

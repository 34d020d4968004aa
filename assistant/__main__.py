"""`python -m assistant ...` is the same as the `assistant` command."""

from .cli import main

main()

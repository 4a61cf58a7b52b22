"""`python -m cli`: the `laurel` command."""

from cli import main

main()

"""`python -m scripts` is the same as the `clientocracy` command."""

from scripts.cli import main

main()

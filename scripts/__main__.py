"""`python -m scripts` is the same as the `clientocracy` command."""

from scripts.entry import main

if __name__ == "__main__":  # not when a spawned worker process imports this module
    main()

"""``python -m cdinterop``: the same command line as the ``cdinterop`` script."""

from cdinterop._cli import main

if __name__ == "__main__":
    main()

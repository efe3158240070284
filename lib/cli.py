"""``python -m lib.cli``: the command line. It lives in :mod:`lib.app.cli`; this module is its
stable entry point."""

from lib.app.cli import main

if __name__ == "__main__":
    raise SystemExit(main(own_process=True))

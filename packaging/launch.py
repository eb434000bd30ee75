"""Entry point of the PyInstaller bundle (packaging/chainview.spec): the `chainview` command."""

import sys

from chainview.cli import main

if __name__ == "__main__":
    sys.exit(main())

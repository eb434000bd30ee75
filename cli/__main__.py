"""`python -m chainview.cli ...`: the same as the `chainview` command."""

import sys

from . import main

sys.exit(main())

"""`python -m tools`: see tools/cli.py."""

import sys

from tools.cli import main

sys.exit(main())

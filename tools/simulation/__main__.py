"""`python -m tools.simulation`: see tools/simulation/cli.py."""

import sys

from tools.simulation.cli import main

sys.exit(main())

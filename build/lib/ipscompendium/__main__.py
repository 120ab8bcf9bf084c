"""`python -m ipscompendium` runs the command line."""

import sys

from ipscompendium.cli import main

sys.exit(main())

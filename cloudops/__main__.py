"""`python -m cloudops` is the `cloudops` command."""

import sys

from cloudops.cli import main

sys.exit(main())

"""python -m autograd "(x + y) * z" x=-2 y=5 z=-4: see autograd.cli."""

import sys

from .cli import main

sys.exit(main())

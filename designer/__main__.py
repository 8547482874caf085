"""``python -m designer``: the same as the ``model-designer`` command."""

import sys

from designer.cli import main

sys.exit(main())

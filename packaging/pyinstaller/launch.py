"""The bundled program's entry point: the same as the ``model-designer`` command."""

import sys

from designer.cli import main

if __name__ == "__main__":
    sys.exit(main())

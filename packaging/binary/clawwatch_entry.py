"""Entry point frozen by PyInstaller: the same `main` as the `clawwatch` console script."""

import sys

from sensor.cli.main import main

if __name__ == "__main__":
    sys.exit(main())

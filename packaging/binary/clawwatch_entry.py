"""Entry point frozen by PyInstaller: the same `main` as the `clawwatch` console script.

Frozen, ``sys.executable`` is this binary, so helpers the sensor starts as ``sys.executable -m MODULE ARGS``
(the inventory scan worker) arrive here as ``clawwatch -m MODULE ARGS``: run that clawwatch module's
``main(args)`` as ``python -m`` would.
"""

import importlib
import sys

from sensor.cli.main import main


def _run_module(name: str, args: list[str]) -> int:
    if not name.startswith("sensor."):
        print(f"clawwatch: -m runs only clawwatch's own modules, not {name!r}", file=sys.stderr)
        return 2
    module = importlib.import_module(name)
    return int(module.main(args) or 0)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "-m":
        sys.exit(_run_module(sys.argv[2], sys.argv[3:]))
    sys.exit(main())

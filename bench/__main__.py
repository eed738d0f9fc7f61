"""Run every benchmark of this folder: ``python -m bench [options passed to each]``."""
from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    folder = Path(__file__).resolve().parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(folder)]) if m.name.endswith("_bench"))
    status = 0
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name}")
        try:
            module.main.main(args=argv, standalone_mode=False)
        except SystemExit as exit_:  # click commands may exit
            status = status or int(exit_.code or 0)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

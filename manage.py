#!/usr/bin/env python
"""Django's command-line utility; `freightcrm` is the same thing as an installed script."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from freightcrm.cli import main  # noqa: E402

if __name__ == "__main__":
    main()

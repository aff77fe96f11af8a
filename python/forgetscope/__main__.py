"""``python -m forgetscope …``: the ``forgetscope`` command (``collect`` in Python, the rest forwarded to the engine)."""

import sys

from .command import main

sys.exit(main())

"""``python -m sepconv_gui.bench``: the same as the ``sepconv-bench`` script."""

from .launch import main

raise SystemExit(main())

"""Entry script of the PyInstaller bundle: the same main() as the installed `sepconv-gui`."""

import sys

from sepconv_gui.__main__ import main

if __name__ == "__main__":
    sys.exit(main())

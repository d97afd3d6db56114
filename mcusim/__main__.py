import sys

from mcusim.cli import main

sys.exit(main())

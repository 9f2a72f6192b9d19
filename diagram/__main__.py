import sys

from diagram.cli import main

sys.exit(main())

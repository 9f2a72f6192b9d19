import sys

from gate.run import main

sys.exit(main())

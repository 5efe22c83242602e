"""``python -I -B -m xltools.addin TOKEN``: one click on the add-in's ribbon (see :mod:`xltools.addin.launch`)."""

import sys

# The guard matters: a consolidation's worker processes on Windows import this module again (as __mp_main__).
if __name__ == "__main__":
    from xltools.addin.launch import main

    sys.exit(main(sys.argv[1:]))

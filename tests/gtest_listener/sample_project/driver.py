"""A test driver in Python: runs the program given and passes on its status."""
import subprocess
import sys

sys.exit(subprocess.run([sys.argv[1]]).returncode)

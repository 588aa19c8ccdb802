"""Allow `python -m composefix`."""

from composefix.cli import main

main()

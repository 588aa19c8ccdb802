"""Allow `python -m composefix`."""

from composefix.entry import main

main()

"""The outside programs composefix talks to: the Docker engine (its API, for `doctor`, `--target auto` and image ports)
and the Docker Compose command line."""

"""Reading: compose files found, decoded and parsed into located trees, interpolated, merged and loaded into a `Project`
as Compose v2 does, and validated against the compose-spec schema."""

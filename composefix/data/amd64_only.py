"""Images published for linux/amd64 only: on Apple silicon they run under emulation (Rosetta or QEMU), which
Docker calls best effort. Keys are image names without registry, tag or digest, as
`composefix.analysis.topology.image_name` makes them; each entry names the public source that says there is no arm64
image.
"""

from __future__ import annotations

AMD64_ONLY: dict[str, str] = {
    # Microsoft publishes SQL Server on Linux for amd64 only; an arm64 image is an open request.
    "mcr.microsoft.com/mssql/server": "https://github.com/microsoft/mssql-docker/issues/802",
    "microsoft/mssql-server-linux": "https://github.com/microsoft/mssql-docker/issues/802",
}

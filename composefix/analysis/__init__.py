"""Analysis: what a loaded project means for the engines: the strings that reach a container and the addresses inside
them, the network topology, mounts and devices."""

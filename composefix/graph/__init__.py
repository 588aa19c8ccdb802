"""The connection graph: which service reaches which (and the host) on each engine, and its drawing as Mermaid, Graphviz
DOT or SVG."""

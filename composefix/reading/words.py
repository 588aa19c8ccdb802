"""`command` and `entrypoint` as the words Compose passes on: shell-style splitting as mattn/go-shellwords does it."""

from __future__ import annotations

from composefix.reading.document import Node, Sequence
from composefix.reading.project import text_of


def command_words(node: Node | None) -> list[str] | None:
    """`command`/`entrypoint` as the list Compose passes on (a string is split shell-style, not run by a shell)."""
    if isinstance(node, Sequence):
        return [text_of(item) or "" for item in node.items]
    text = text_of(node)
    return shell_words(text) if text is not None else None


def shell_words(line: str) -> list[str]:
    """Split like mattn/go-shellwords, which Compose uses: quotes and `$(...)` group words, and an unquoted
    `;`, `&`, `|`, `<` or `>` ends the command (what follows is dropped)."""
    args: list[str] = []
    buf: list[str] = []
    got = escaped = single = double = dollar = False
    for char in line:
        if escaped:
            buf.append(char)
            escaped = False
            got = True
            continue
        if char == "\\":
            if single:
                buf.append(char)
            else:
                escaped = True
            continue
        if char in " \t\r\n":
            if single or double or dollar:
                buf.append(char)
            elif got:
                args.append("".join(buf))
                buf, got = [], False
            continue
        if char == "(" and not (single or double) and not dollar and buf and buf[-1] == "$":
            dollar = True
        elif char == ")" and dollar and not (single or double):
            dollar = False
        elif char == '"' and not single and not dollar:
            double = not double
            got = True
            continue
        elif char == "'" and not double and not dollar:
            single = not single
            got = True
            continue
        elif char in ";&|<>" and not (single or double or dollar):
            break
        buf.append(char)
        got = True
    if got:
        args.append("".join(buf))
    return args

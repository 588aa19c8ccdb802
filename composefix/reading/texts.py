"""Strings that remember where each of their characters came from (a file range, or the process environment)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple


class Source(NamedTuple):
    """Where a run of characters came from: a range of a file's text, or the process environment (file None)."""

    file: str | None
    start: int
    end: int
    # True when the value's characters are exactly doc.text[start:end] (so sub-ranges can be located).
    exact: bool
    via: str | None = None


class Piece(NamedTuple):
    start: int
    end: int
    source: Source


@dataclass(frozen=True, slots=True)
class Text:
    """A string value and, for each run of it, where that run came from."""

    value: str
    pieces: tuple[Piece, ...] = ()

    def __len__(self) -> int:
        return len(self.value)

    def slice(self, start: int, end: int | None = None) -> Text:
        end = len(self.value) if end is None else end
        pieces = []
        for piece in self.pieces:
            lo, hi = max(piece.start, start), min(piece.end, end)
            if lo >= hi:
                continue
            source = piece.source
            if source.exact:
                offset = lo - piece.start
                source = Source(source.file, source.start + offset, source.start + offset + hi - lo, True, source.via)
            pieces.append(Piece(lo - start, hi - start, source))
        return Text(self.value[start:end], tuple(pieces))

    def origin(self, start: int, end: int) -> Source | None:
        """The source of ``value[start:end]`` when one piece holds all of it."""
        for piece in self.pieces:
            if piece.start <= start and end <= piece.end:
                source = piece.source
                if source.exact:
                    offset = start - piece.start
                    begin = source.start + offset
                    return Source(source.file, begin, begin + end - start, True, source.via)
                return source
        return None

    @property
    def via(self) -> str | None:
        vias = {p.source.via for p in self.pieces if p.source.via}
        return next(iter(vias)) if len(vias) == 1 else None


def join(parts: Iterable[Text]) -> Text:
    value: list[str] = []
    pieces: list[Piece] = []
    offset = 0
    for part in parts:
        value.append(part.value)
        pieces.extend(Piece(p.start + offset, p.end + offset, p.source) for p in part.pieces)
        offset += len(part.value)
    return Text("".join(value), tuple(pieces))

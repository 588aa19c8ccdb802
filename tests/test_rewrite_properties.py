"""Property tests: generated projects with host mode, loopback addresses, bridge IPs, lists and maps, block and
flow styles, comments and CRLF. Rewrite is idempotent, in-place edits keep every other byte, real Compose
accepts base + override, and re-checking finds none of the fixed findings."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composefix.fixing.inplace import in_place
from composefix.fixing.rewrite import Outcome, rewrite, write
from composefix.model import Edit, Severity
from composefix.rules.runner import Options, check_projects
from tests.differential import compose_binary

ADDRESSES = [
    "http://localhost:{port}",
    "postgres://app@127.0.0.1:{port}/db",
    "redis://172.17.0.1:{port}",
    "http://host.docker.internal:{port}",
    "http://docker.for.mac.localhost:{port}",
    "localhost:{port}",
    "http://db:5432",
    "plain-value",
]


@st.composite
def projects(draw: st.DrawFn) -> tuple[str, bool]:
    newline = "\r\n" if draw(st.booleans()) else "\n"
    names = draw(
        st.lists(st.sampled_from(["api", "web", "worker", "db", "cache"]), min_size=1, max_size=4, unique=True)
    )
    lines = ["# generated"]
    shared = draw(st.booleans())
    if shared:  # text several services share through an anchor
        lines += ["x-env: &env", f"  SHARED: {draw(st.sampled_from(ADDRESSES)).format(port=4000)}"]
    lines.append("services:")
    for name in names:
        lines.append(f"  {name}:  # the {name} service")
        lines.append(f"    image: example/{name}:1")
        if draw(st.booleans()):
            lines.append("    network_mode: host")
            if draw(st.booleans()):
                lines.append('    expose: ["9000"]')
        elif draw(st.booleans()):
            lines.append(f'    ports: ["{draw(st.integers(8000, 8010))}:80"]')
        values = draw(st.lists(st.sampled_from(ADDRESSES), max_size=3))
        if shared and draw(st.booleans()):
            lines.append("    environment: *env")
        elif values:
            form = draw(st.sampled_from(["map", "list", "flow"]))
            items = [
                (f"V{i}", v.format(port=draw(st.sampled_from([4000, 5432, 6379, 9000])))) for i, v in enumerate(values)
            ]
            if form == "map":
                lines.append("    environment:")
                lines += [f"      {k}: {v}" for k, v in items]
            elif form == "list":
                lines.append("    environment:")
                lines += [f"      - {k}={v}" for k, v in items]
            else:
                lines.append("    environment: {" + ", ".join(f'{k}: "{v}"' for k, v in items) + "}")
        if draw(st.booleans()):
            lines.append("    extra_hosts:")
            lines.append(f'      - "{draw(st.sampled_from(["dockerhost", "host.docker.internal"]))}:172.17.0.1"')
    return newline.join(lines) + newline, newline == "\r\n"


def _run(folder: Path, in_place: bool) -> Outcome:
    options = Options(schema=False, environ={})
    outcome = rewrite(
        [folder / "compose.yaml"],
        options,
        in_place=in_place,
        output=None,
        unsafe=True,
        publish={},
        force=False,
        compose=None,
    )
    write(outcome)
    return outcome


def _rewrite(folder: Path, in_place: bool) -> tuple[bool, set[tuple[str, str | None]]]:
    outcome = _run(folder, in_place)
    return outcome.changed, {(f.code, f.service) for f, _ in outcome.fixed}


def _remaining(folder: Path, files: list[str], fixed: set[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    """Fixed findings that a fresh check still reports (CF102 goes with CF101: the ports stay, now effective;
    informational findings are never fixed, so another one of the same rule and service may stay)."""
    report = check_projects([[folder / name for name in files]], Options(schema=False, environ={}))
    return [
        (f.code, f.service)
        for f in report.findings
        if (f.code, f.service) in fixed and f.code != "CF102" and f.severity is not Severity.INFO
    ]


def _outside_edits_kept(before: str, after: str, edits: list[Edit]) -> str | None:
    """None when every byte of ``before`` outside the edits' ranges is in ``after``, unchanged and where the
    edits put it; else where the first difference is. Between two kept stretches ``after`` may hold only the text
    of the edits in between (identical edits count once; insertions at one offset keep their planned order)."""
    at = 0  # in before
    cursor = 0  # in after
    for edit in sorted(dict.fromkeys(edits), key=lambda e: (e.start, e.end)):
        if not at <= edit.start <= edit.end <= len(before):
            return f"edit {edit} overlaps another or leaves the file"
        kept = before[at : edit.start]
        found = after[cursor : cursor + len(kept)]
        if found != kept:
            return f"bytes {at}..{edit.start} (outside every edit) changed: {kept!r} became {found!r}"
        cursor += len(kept)
        if after[cursor : cursor + len(edit.text)] != edit.text:
            return f"the text of {edit} is not where it belongs"
        cursor += len(edit.text)
        at = edit.end
    if after[cursor:] != before[at:]:
        return f"bytes {at}.. (after the last edit) changed: {before[at:]!r} became {after[cursor:]!r}"
    return None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_override_is_idempotent_accepted_by_compose_and_fixes_what_it_claims(generated):
    text, _crlf = generated
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "compose.yaml").write_bytes(text.encode())
        changed, fixed = _rewrite(folder, in_place=False)
        # The platform split: changes every engine needs in the automatic override, VM-only ones beside it.
        written = [n for n in ("compose.override.yaml", "compose.desktop.yaml") if (folder / n).exists()]
        assert changed == bool(written)
        if changed:
            for count in range(1, len(written) + 1):  # Linux loads the portable file only; the VMs load both
                command = [str(compose_binary())]
                for name in ["compose.yaml", *written[:count]]:
                    command += ["-f", name]
                result = subprocess.run(
                    [*command, "config", "-q"], cwd=folder, capture_output=True, text=True, check=False
                )
                assert result.returncode == 0, (text, written, result.stderr)
            if "compose.override.yaml" in written:
                # Leaving host mode is for VM-backed engines only: never in the file every machine loads.
                assert "network_mode" not in (folder / "compose.override.yaml").read_text()
            assert _remaining(folder, ["compose.yaml", *written], fixed) == []
            first = {n: (folder / n).read_bytes() for n in written}
            again, _ = _rewrite(folder, in_place=False)
            assert not again and {n: (folder / n).read_bytes() for n in written} == first
        assert (folder / "compose.yaml").read_bytes() == text.encode()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_in_place_keeps_untouched_bytes_and_is_idempotent(generated):
    text, crlf = generated
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        path = folder / "compose.yaml"
        path.write_bytes(text.encode())
        outcome = _run(folder, in_place=True)
        fixed = {(f.code, f.service) for f, _ in outcome.fixed}
        assert _remaining(folder, ["compose.yaml"], fixed) == []
        after = path.read_bytes().decode()
        if crlf:
            assert after.count("\n") == after.count("\r\n")
        # The edits the plan makes (the same list the rewrite applied), per file; every other byte is kept.
        edits = in_place(outcome.plan).edits
        assert {e.file for e in edits} <= set(outcome.writes)
        for name, (old, _new, _bom) in outcome.writes.items():
            assert old == (text if Path(name) == path else old)
            written = Path(name).read_bytes().decode()
            assert _outside_edits_kept(old, written, [e for e in edits if e.file == name]) is None, (name, old, written)
        assert after.startswith("# generated")
        again, _ = _rewrite(folder, in_place=True)
        assert not again, (text, after)

"""Property tests: generated projects with host mode, loopback addresses, bridge IPs, lists and maps, block and
flow styles, comments and CRLF. Rewrite is idempotent, in-place edits keep every other byte, real Compose
accepts base + override, and re-checking finds none of the fixed findings."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composefix.engine import Options, check_projects
from composefix.model import Severity
from composefix.rewrite import rewrite, write
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


def _rewrite(folder: Path, in_place: bool) -> tuple[bool, set[tuple[str, str | None]]]:
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


def _outside_edits_kept(before: str, after: str) -> bool:
    """Every line of ``before`` that no edit touched is in ``after``, in order."""
    import difflib

    matcher = difflib.SequenceMatcher(a=before.splitlines(), b=after.splitlines(), autojunk=False)
    kept = sum(block.size for block in matcher.get_matching_blocks())
    changed = [op for op in matcher.get_opcodes() if op[0] in ("replace", "delete")]
    return kept + sum(op[2] - op[1] for op in changed) == len(before.splitlines())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_override_is_idempotent_accepted_by_compose_and_fixes_what_it_claims(generated):
    text, _crlf = generated
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "compose.yaml").write_bytes(text.encode())
        changed, fixed = _rewrite(folder, in_place=False)
        override = folder / "compose.desktop.yaml"
        if changed:
            result = subprocess.run(
                [str(compose_binary()), "-f", "compose.yaml", "-f", "compose.desktop.yaml", "config", "-q"],
                cwd=folder,
                capture_output=True,
                text=True,
                check=False,
            )
            assert result.returncode == 0, (text, override.read_text(), result.stderr)
            assert _remaining(folder, ["compose.yaml", "compose.desktop.yaml"], fixed) == []
            first = override.read_bytes()
            again, _ = _rewrite(folder, in_place=False)
            assert not again and override.read_bytes() == first
        assert (folder / "compose.yaml").read_bytes() == text.encode()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_in_place_keeps_untouched_bytes_and_is_idempotent(generated):
    text, crlf = generated
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        path = folder / "compose.yaml"
        path.write_bytes(text.encode())
        _, fixed = _rewrite(folder, in_place=True)
        assert _remaining(folder, ["compose.yaml"], fixed) == []
        after = path.read_bytes().decode()
        if crlf:
            assert after.count("\n") == after.count("\r\n")
        assert _outside_edits_kept(text, after)
        assert after.startswith("# generated")
        again, _ = _rewrite(folder, in_place=True)
        assert not again, (text, after)

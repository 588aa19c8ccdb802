"""Move composefix's modules into subpackages that show the pipeline (issue 12, items 2 and 6).

    python tools/relayout.py            # from the repository root; then review `git status` and commit

Deterministic and re-applicable: it reads the tree as it is (any branch merged into it), moves what is still at an
old place, splits `project.py` and `addresses.py` by the tables below, rewrites every reference (imports, dotted
names in strings, comments and docs, `-m composefix.x`, paths like `composefix/engine.py`), then runs
`ruff check --fix` and `ruff format`. Running it a second time changes nothing.

It stops, changing nothing, when the tree holds something the tables do not place: a top-level name of a module
being split that no table row names (a merge added it: add it to SPLITS), a module at the top of the package that
is neither moved nor listed in STAYS, or a reference it cannot map (`composefix/project.py` in prose, `from
composefix import project`). The message lists each one.

Standard library only (and `.venv/bin/ruff`, or `ruff` on PATH).
"""

from __future__ import annotations

import ast
import io
import re
import shutil
import subprocess
import sys
import textwrap
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINE_LENGTH = 120  # pyproject.toml [tool.ruff]
MARKDOWN_WIDTH = 116  # the docs' own width
PACKAGE = "composefix"

# --- the layout ---------------------------------------------------------------------------------------------------

# Each subpackage and its job, in pipeline order (its `__init__.py` docstring; CONTRIBUTING.md's layout section).
PACKAGES: dict[str, str] = {
    "composefix.platform": (
        "The outside programs composefix talks to: the Docker engine (its API, for `doctor`, `--target auto` and "
        "image ports) and the Docker Compose command line."
    ),
    "composefix.reading": (
        "Reading: compose files found, decoded and parsed into located trees, interpolated, merged and loaded into "
        "a `Project` as Compose v2 does, and validated against the compose-spec schema."
    ),
    "composefix.analysis": (
        "Analysis: what a loaded project means for the engines: the strings that reach a container and the "
        "addresses inside them, the network topology, mounts and devices."
    ),
    "composefix.rules": "",  # has its own __init__ (the registry)
    "composefix.reporting": (
        "Reporting: the report formats (text, JSON, SARIF, GitHub, JUnit), the rule documentation, masking of "
        "secrets and the one module that writes files."
    ),
    "composefix.graph": (
        "The connection graph: which service reaches which (and the host) on each engine, and its drawing as "
        "Mermaid, Graphviz DOT or SVG."
    ),
    "composefix.fixing": (
        "Fixing: the plan that gathers the rules' typed changes, the two writers (in place and override file), "
        "and the rewrite that checks the result with real Compose."
    ),
    "composefix.app": "",  # has its own __init__
}

# Pure moves: old module -> new module (`git mv`, so history follows).
MOVES: dict[str, str] = {
    # reading
    "composefix.document": "composefix.reading.document",
    "composefix.texts": "composefix.reading.texts",
    "composefix.interpolate": "composefix.reading.interpolate",
    "composefix.ports": "composefix.reading.ports",
    "composefix.schema": "composefix.reading.schema",
    "composefix.discovery": "composefix.reading.discovery",
    # analysis
    "composefix.topology": "composefix.analysis.topology",
    "composefix.mounts": "composefix.analysis.mounts",
    # rules: the runner (it runs rules; "engine" is the Docker engine) and the suppression comments it applies
    "composefix.engine": "composefix.rules.runner",
    "composefix.suppress": "composefix.rules.suppress",
    # reporting
    "composefix.report": "composefix.reporting.formats",
    "composefix.report.text": "composefix.reporting.text",
    "composefix.report.json": "composefix.reporting.json",
    "composefix.report.sarif": "composefix.reporting.sarif",
    "composefix.report.github": "composefix.reporting.github",
    "composefix.report.junit": "composefix.reporting.junit",
    "composefix.report.safe": "composefix.reporting.safe",
    "composefix.writing": "composefix.reporting.writing",
    "composefix.rulesdoc": "composefix.reporting.rulesdoc",
    # fixing
    "composefix.fixes": "composefix.fixing.plan",
    "composefix.inplace": "composefix.fixing.inplace",
    "composefix.override": "composefix.fixing.override",
    "composefix.rewrite": "composefix.fixing.rewrite",
    # the connection graph
    "composefix.drawing": "composefix.graph.drawing",
    # outside programs
    "composefix.engine_info": "composefix.platform.docker_engine",
    "composefix.compose_cli": "composefix.platform.compose_cli",
    # application layer
    "composefix.config": "composefix.app.config",
    "composefix.parallel": "composefix.app.parallel",
    # on other branches when this was written (a name missing here is skipped)
    "composefix.survival": "composefix.fixing.survival",  # survive: rewrite refuses fixes that lose a connection
}

# Modules that stay where they are (a module at the package's top that is in no table stops the script).
STAYS = {
    "composefix.__init__",
    "composefix.__main__",
    "composefix.cli",
    "composefix.entry",
    "composefix.masking",  # plain string functions that every stage may use: secrets masked, controls escaped
    "composefix.model",
    "composefix.resources",
    "composefix.server",  # server: the language server, an interface beside the command line
}


@dataclass
class Part:
    doc: str
    names: list[str]


# Splits: old module -> {new module: its job and the top-level names it gets}.
SPLITS: dict[str, dict[str, Part]] = {
    "composefix.project": {
        "composefix.reading.project": Part(
            "The loaded project: its services, merged top-level sections, variables and loading problems, and where "
            "a part of a string value is written.",
            ["ProjectProblem", "Service", "text_of", "Project", "locate"],
        ),
        "composefix.reading.files": Part(
            "Which files are compose files, and reading them: regular files only, within a size limit, each read "
            "and parsed once per run; paths as the user writes them.",
            [
                "DEFAULT_FILE_NAMES",
                "DEFAULT_OVERRIDE_NAMES",
                "MAX_FILE_BYTES",
                "read_regular",
                "_reason",
                "Reader",
                "real_path",
                "display_path",
                "_real_path",
                "_real_folder",
                "_display_path",
            ],
        ),
        "composefix.reading.loader": Part(
            "Load a project as Compose v2 does: files merged in order, include, extends, interpolation, env files.\n\n"
            "Every value of the merged model is a node of the file its text came from (aliases and merge keys keep "
            "the\nanchor's position), and every string scalar carries its interpolated `Text`, which knows whether a "
            "character\ncame from the compose file, an interpolation default, a `.env` file or the process "
            "environment.",
            ["MAX_EXTENDS_CHAIN", "MAX_INCLUDE_DEPTH", "_File", "_Loader", "load_project", "_attach_configs"],
        ),
        "composefix.reading.merge": Part(
            "Compose's merge semantics for `-f` files and `extends`: which keys are replaced, merged by name or "
            "appended, and `!reset`/`!override`.",
            [
                "REPLACED",
                "BY_NAME",
                "APPENDED_UNIQUE",
                "_synthetic",
                "_pairs",
                "_normalise",
                "_without",
                "_host_items",
                "_port_key",
                "_append_unique",
                "_text_key",
                "_merge_value",
                "_as_mapping",
                "merge_mapping",
                "merge_service",
            ],
        ),
        "composefix.reading.environment": Part(
            "A service's container environment: `env_file` files and `environment`, and the process environment "
            "as interpolation sees it.",
            ["_env_text", "_environment", "_TEMPLATE_SUFFIXES", "_template_help"],
        ),
        "composefix.reading.references": Part(
            "The loader's reference checks: a service that joins, or depends on, a service the project does not "
            "define (a loading problem; a rule turns it into a finding).",
            ["_check_references"],
        ),
        "composefix.reading.words": Part(
            "`command` and `entrypoint` as the words Compose passes on: shell-style splitting as "
            "mattn/go-shellwords does it.",
            ["command_words", "shell_words"],
        ),
    },
    "composefix.connections": {
        "composefix.analysis.network": Part(
            "The connections a project's text makes: services, their networks, published ports and host links, and "
            "each connection (service to service or to the host, on a port) with what it goes through (a variable, "
            "a command word, an inline config line).",
            [
                "HOST",
                "GATEWAY",
                "Kind",
                "Via",
                "Edge",
                "Published",
                "Link",
                "ServiceNode",
                "Status",
                "Graph",
                "_networks",
                "_aliases",
                "_published",
                "_is_host_address",
                "_holder",
                "_links",
                "_SCHEME_BEFORE",
                "_PORT_AFTER",
                "_TOKEN",
                "_port_at",
                "_links_aliases",
                "_behind_host",
                "_addressed",
                "_line_text",
                "_via",
                "_connection_strings",
                "build",
            ],
        ),
        "composefix.graph.connections": Part(
            "Whether each connection works on each engine, which finding explains a broken one, and which "
            "connections a rewritten project no longer makes (what a rewrite must keep).",
            [
                "_HOST_LOOPBACK",
                "_DESKTOP_IPS",
                "_Namespace",
                "_namespace",
                "_host_loopback",
                "_link_for",
                "_reaches_host",
                "_status",
                "_host_status",
                "_Settings",
                "_findings",
                "_inside",
                "_overlaps",
                "_explain",
                "assess",
                "connection_graph",
                "Lost",
                "lost_connections",
                "_left_behind",
                "load_edited",
            ],
        ),
    },
    "composefix.addresses": {
        "composefix.analysis.strings": Part(
            "The strings of a service that reach a container or the engine, each with where it sits, and its "
            "`extra_hosts` entries.",
            [
                "Where",
                "CONTAINER_SIDE",
                "StringRef",
                "_scalars",
                "_pairs",
                "service_strings",
                "_service_strings",
                "HostEntry",
                "extra_hosts",
                "matches",
            ],
        ),
        "composefix.analysis.loopback": Part(
            "Loopback addresses inside a string: where they are, their port, and whether a program binds to them "
            "or connects to them.",
            [
                "_HANDED_OUT",
                "ADVERTISED",
                "handed_out",
                "_handed_out",
                "_LOOPBACK",
                "_SCHEME_BEFORE",
                "SCHEME_PORTS",
                "CLIENTS",
                "CLIENT_PORTS",
                "_BIND_FLAG",
                "_BIND_NAME",
                "_ADVERTISE_FLAG",
                "_CONNECT_NAME",
                "_BOUND_PORT",
                "_PORT_FLAG",
                "_SEGMENT",
                "_PORT_AFTER",
                "Address",
                "bind_context",
                "is_bind_name",
                "_is_bind_name",
                "is_connect_name",
                "bound_ports",
                "_Segments",
                "_WORD",
                "_program",
                "_first_program",
                "loopbacks",
                "program_at",
                "port_flags",
            ],
        ),
        "composefix.analysis.servers": Part(
            "Which address a variable or config names a backing server by (`DATABASE_URL`, DSNs, proxy upstreams), "
            "and that server's usual port.",
            [
                "SERVER_SCHEMES",
                "_DSN_BEFORE",
                "_DSN_KEYS",
                "_UPSTREAM_BEFORE",
                "BACKING_SERVICES",
                "_ADDRESS_WORDS",
                "_NOT_A_SERVER",
                "_words",
                "backing_service",
                "port_variable",
                "dsn_host",
                "_DSN_PORT",
                "dsn_port",
                "upstream",
            ],
        ),
        "composefix.analysis.hostnames": Part(
            "Names and addresses that mean the host: `host.docker.internal`, Docker Desktop's legacy names, the "
            "default bridge gateways.",
            [
                "HOST_ALIAS",
                "GATEWAY_ENTRY",
                "LEGACY_DESKTOP_NAMES",
                "DEFAULT_BRIDGE_IPS",
                "NETWORK_GATEWAY_IPS",
                "_name_pattern",
                "_ip_pattern",
                "HOST_ALIAS_RE",
                "LEGACY_RE",
                "bridge_ip_pattern",
            ],
        ),
    },
}

# Private names that another part of the same split uses become public (old name -> new name), so that no module
# imports another's private name.
PUBLISHED: dict[str, dict[str, str]] = {
    "composefix.connections": {"_via": "via_at"},
    "composefix.project": {
        "_Loader": "Loader",
        "_env_text": "env_text",
        "_environment": "container_environment",
        "_normalise": "normalise",
        "_without": "without",
        "_check_references": "check_references",
    },
}

# Where references are rewritten (besides composefix/**.py, which is always included).
SCOPE = [
    "composefix",
    "tests",
    "benchmarks",
    "tools",
    "docs",
    ".ci",
    "README.md",
    "CONTRIBUTING.md",
    "pyproject.toml",
    ".pre-commit-hooks.yaml",
    "action.yml",
]
TEXT_SUFFIXES = {".py", ".md", ".toml", ".yaml", ".yml", ".cfg", ".ini", ".txt", ".sh", ""}
SKIP_DIRS = {"node_modules", "__pycache__", ".venv", ".git", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
THIS = Path(__file__).resolve()

DATA_DOC = (
    "What composefix knows about images (default ports, images that need host networking, images published for "
    "amd64 only): data with a source per entry, not code."
)
LAYOUT_BEGIN = "<!-- package layout: written by tools/relayout.py -->"
LAYOUT_END = "<!-- end of package layout -->"


class Stop(Exception):
    """Something the tables do not place: nothing has been changed."""


# --- module names and files -----------------------------------------------------------------------------------------


def module_file(module: str, root: Path = ROOT) -> Path:
    """The file of ``module`` as it is or will be (a package is its `__init__.py`)."""
    parts = module.split(".")
    folder = root.joinpath(*parts)
    if folder.is_dir():
        return folder / "__init__.py"
    return root.joinpath(*parts[:-1], parts[-1] + ".py")


def old_file(module: str) -> Path:
    """Where an old module lives before the move (a package name means its `__init__.py`)."""
    parts = module.split(".")
    package_init = ROOT.joinpath(*parts, "__init__.py")
    return package_init if package_init.exists() else ROOT.joinpath(*parts[:-1], parts[-1] + ".py")


def new_file(module: str) -> Path:
    parts = module.split(".")
    return ROOT.joinpath(*parts[:-1], parts[-1] + ".py")


def all_old_modules() -> dict[str, str | None]:
    """Old module -> new module (None: split by name)."""
    table: dict[str, str | None] = dict(MOVES)
    for old in SPLITS:
        table[old] = None
    return table


def name_to_part(old: str) -> dict[str, str]:
    """Top-level name (as the old module spells it) -> the part that gets it."""
    return {name: new for new, part in SPLITS[old].items() for name in part.names}


def published(old: str, name: str) -> str:
    """The name under which the part defines ``name`` of ``old``."""
    return PUBLISHED.get(old, {}).get(name, name)


def _identifiers(tree: ast.Module) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.arg):
            found.add(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found.add(node.name)
        elif isinstance(node, ast.alias):
            found.add(node.asname or node.name.split(".")[0])
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
    return found


def publish(old: str, source: str) -> str:
    """``source`` of the split module ``old`` with the private names other parts use made public."""
    identifiers = _identifiers(ast.parse(source))
    for private, public in PUBLISHED.get(old, {}).items():
        if public in identifiers:
            raise Stop(f"{old}: PUBLISHED renames {private} to {public}, a name the module already uses")
        source = re.sub(rf"(?<![\w.]){re.escape(private)}(?!\w)", public, source)
    return source


# --- checks before anything changes --------------------------------------------------------------------------------


def top_level_modules() -> list[str]:
    found = []
    for path in sorted((ROOT / PACKAGE).glob("*.py")):
        found.append(f"{PACKAGE}.{path.stem}")
    return found


def top_level_names(tree: ast.Module) -> list[tuple[str, ast.stmt]]:
    """(name, statement) for each definition; an unnamed statement (not an import) raises."""
    named: list[tuple[str, ast.stmt]] = []
    for index, stmt in enumerate(tree.body):
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            continue
        if index == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # the module docstring
        if (
            isinstance(stmt, ast.If)
            and _is_type_checking(stmt.test)
            and all(isinstance(s, ast.Import | ast.ImportFrom) for s in stmt.body)
        ):
            continue
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            named.append((stmt.name, stmt))
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            named.append((stmt.targets[0].id, stmt))
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            named.append((stmt.target.id, stmt))
        else:
            raise Stop(f"line {stmt.lineno}: a top-level statement without a name: {ast.unparse(stmt)[:80]}")
    return named


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def preflight() -> None:
    problems: list[str] = []
    for module in top_level_modules():
        if module in STAYS or module in MOVES or module in SPLITS:
            continue
        problems.append(f"{module}: a top-level module in no table (add it to MOVES, SPLITS or STAYS)")
    report_dir = ROOT / PACKAGE / "report"
    if report_dir.is_dir():
        for path in sorted(report_dir.glob("*.py")):
            module = f"{PACKAGE}.report" if path.stem == "__init__" else f"{PACKAGE}.report.{path.stem}"
            if module not in MOVES:
                problems.append(f"{module}: a module of composefix/report in no table (add it to MOVES)")
    for old, new in MOVES.items():
        src, dst = old_file(old), new_file(new)
        if src.exists() and dst.exists():
            problems.append(f"{old}: both {rel(src)} and {rel(dst)} exist")
    for old, parts in SPLITS.items():
        src = old_file(old)
        if not src.exists():
            continue
        where = name_to_part(old)
        tree = ast.parse(src.read_text(encoding="utf-8"))
        try:
            names = top_level_names(tree)
        except Stop as exc:
            problems.append(f"{rel(src)}: {exc}")
            continue
        defined = [name for name, _ in names]
        for name in defined:
            if name not in where:
                problems.append(f"{rel(src)}: top-level name {name!r} is in no part of SPLITS[{old!r}]")
        for name in where:
            if name not in defined:  # another branch's name, or one a merge removed: nothing to place
                print(f"relayout: note: {rel(src)} does not define {name!r} (SPLITS[{old!r}])", file=sys.stderr)
        for private in PUBLISHED.get(old, {}):
            if private not in where:
                problems.append(f"PUBLISHED[{old!r}] names {private!r}, which no part of SPLITS has")
        try:
            publish(old, src.read_text(encoding="utf-8"))
        except Stop as exc:
            problems.append(str(exc))
        for new in parts:
            if new_file(new).exists():
                problems.append(f"{old}: {rel(new_file(new))} exists already")
    if problems:
        raise Stop("the tables do not place everything:\n  " + "\n  ".join(problems))


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


# --- moving --------------------------------------------------------------------------------------------------------


def git(*args: str) -> None:
    subprocess.run(["git", *args], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def ensure_packages() -> None:
    for package, doc in PACKAGES.items():
        init = ROOT.joinpath(*package.split("."), "__init__.py")
        if init.exists():
            continue
        init.parent.mkdir(parents=True, exist_ok=True)
        init.write_text(docstring(doc), encoding="utf-8")
        git("add", rel(init))


def move_modules() -> None:
    for old, new in MOVES.items():
        src, dst = old_file(old), new_file(new)
        if not src.exists():
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        git("mv", rel(src), rel(dst))
    report_dir = ROOT / PACKAGE / "report"
    if report_dir.is_dir() and not any(report_dir.glob("*.py")):
        shutil.rmtree(report_dir)


# --- splitting -----------------------------------------------------------------------------------------------------


@dataclass
class Imported:
    """A name a module imports: `from module import name as alias` or `import module as alias`."""

    alias: str
    module: str
    name: str | None  # None: `import module`
    type_checking: bool


@dataclass
class Piece:
    names: list[str] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)
    statements: list[ast.stmt] = field(default_factory=list)


def _imports(tree: ast.Module) -> tuple[bool, dict[str, Imported]]:
    future = False
    found: dict[str, Imported] = {}

    def take(stmt: ast.stmt, type_checking: bool) -> None:
        nonlocal future
        if isinstance(stmt, ast.ImportFrom):
            if stmt.module == "__future__":
                future = True
                return
            assert stmt.level == 0, "relative imports are not used in composefix"
            for alias in stmt.names:
                local = alias.asname or alias.name
                found[local] = Imported(local, stmt.module or "", alias.name, type_checking)
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                local = alias.asname or alias.name.split(".")[0]
                found[local] = Imported(local, alias.name, None, type_checking)

    for stmt in tree.body:
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            take(stmt, False)
        elif isinstance(stmt, ast.If) and _is_type_checking(stmt.test):
            for inner in stmt.body:
                take(inner, True)
    return future, found


def _annotation_nodes(stmt: ast.stmt) -> set[int]:
    """ids of the Name nodes that sit inside annotations (not evaluated under `from __future__ import annotations`)."""
    inside: set[int] = set()

    def mark(node: ast.AST | None) -> None:
        if node is not None:
            for sub in ast.walk(node):
                inside.add(id(sub))

    for node in ast.walk(stmt):
        if isinstance(node, ast.arg):
            mark(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            mark(node.returns)
        elif isinstance(node, ast.AnnAssign):
            mark(node.annotation)
    return inside


def _used_names(statements: list[ast.stmt]) -> tuple[set[str], set[str]]:
    """(names used at run time, names used only in annotations) by ``statements``."""
    runtime: set[str] = set()
    annotated: set[str] = set()
    for stmt in statements:
        in_annotation = _annotation_nodes(stmt)
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name):
                (annotated if id(node) in in_annotation else runtime).add(node.id)
    return runtime, annotated - runtime


def _segments(source: str, tree: ast.Module) -> dict[str, tuple[int, str]]:
    """Each top-level definition's source with what stands between it and the statement before it (the comments
    above it, a section header too, and its decorators), and how many blank lines stood before that."""
    lines = source.splitlines(keepends=True)
    out: dict[str, tuple[int, str]] = {}
    previous_end = 0
    for stmt in tree.body:
        end = stmt.end_lineno or stmt.lineno
        chunk = lines[previous_end:end]
        previous_end = end
        gap = 0
        while chunk and not chunk[0].strip():
            chunk = chunk[1:]
            gap += 1
        text = "".join(chunk).rstrip("\n") + "\n"
        name = None
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            name = stmt.name
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            name = stmt.targets[0].id
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            name = stmt.target.id
        if name is not None:
            out[name] = (min(max(gap, 1), 2), text)
    trailing = "".join(lines[previous_end:]).strip()
    if trailing:
        raise Stop(f"text after the last statement: {trailing[:60]!r}")
    return out


def docstring(text: str, indent: str = "") -> str:
    """``text`` as a docstring wrapped at the line length (paragraphs kept)."""
    width = LINE_LENGTH - len(indent) - 3
    paragraphs = [textwrap.fill(" ".join(p.split()), width, break_on_hyphens=False) for p in text.split("\n\n")]
    body = "\n\n".join(paragraphs).replace("\n", "\n" + indent).replace("\n" + indent + "\n", "\n\n")
    return f'{indent}"""{body}"""\n'


def _import_lines(
    mine: list[str], statements: list[ast.stmt], imported: dict[str, Imported], where: dict[str, str]
) -> tuple[list[str], list[str]]:
    """(run-time import lines, `if TYPE_CHECKING:` import lines) for a part made of ``statements``.

    A name is imported as the old module imported it; a name another part defines is imported from that part,
    under TYPE_CHECKING when this part uses it only in annotations (so two parts never import each other at run
    time just for types)."""
    runtime, annotation_only = _used_names(statements)
    from_modules: dict[tuple[str, bool], set[str]] = {}
    plain_imports: dict[bool, set[str]] = {}
    for name in sorted(runtime | annotation_only):
        if name in mine:
            continue
        if name in where:  # defined by another part of the split
            from_modules.setdefault((where[name], name in annotation_only), set()).add(name)
        elif name in imported:
            entry = imported[name]
            if entry.name is None:
                bare = entry.alias == entry.module.split(".")[0]
                plain_imports.setdefault(entry.type_checking, set()).add(
                    entry.module if bare else f"{entry.module} as {name}"
                )
            else:
                text = entry.name if entry.alias == entry.name else f"{entry.name} as {entry.alias}"
                from_modules.setdefault((entry.module, entry.type_checking), set()).add(text)
    # A part imported at run time anyway gives its annotation-only names at run time too.
    for module in set(where.values()):
        if (module, True) in from_modules and (module, False) in from_modules:
            from_modules[(module, False)] |= from_modules.pop((module, True))
    runtime_lines: list[str] = []
    checking_lines: list[str] = []
    for is_checking, modules in sorted(plain_imports.items()):
        for module in sorted(modules):
            (checking_lines if is_checking else runtime_lines).append(f"import {module}")
    for (module, is_checking), names in sorted(from_modules.items()):
        (checking_lines if is_checking else runtime_lines).append(f"from {module} import {', '.join(sorted(names))}")
    return runtime_lines, checking_lines


def split_module(old: str) -> None:
    src = old_file(old)
    if not src.exists():
        return
    source = publish(old, src.read_text(encoding="utf-8"))
    tree = ast.parse(source)
    future, imported = _imports(tree)
    segments = _segments(source, tree)
    named = top_level_names(tree)
    where = {published(old, name): part for name, part in name_to_part(old).items()}
    for new, part in SPLITS[old].items():
        mine = [name for name, _ in named if where[name] == new]
        statements = [stmt for name, stmt in named if where[name] == new]
        runtime_lines, checking_lines = _import_lines(mine, statements, imported, where)
        header = docstring(part.doc) + "\n"
        if future:
            header += "from __future__ import annotations\n\n"
        if checking_lines:
            runtime_lines.insert(0, "from typing import TYPE_CHECKING")
        header += "\n".join(runtime_lines) + "\n"
        if checking_lines:
            header += "\nif TYPE_CHECKING:\n" + "".join(f"    {line}\n" for line in checking_lines)
        body = "".join(
            ("\n" * segments[name][0] if index else "") + segments[name][1] for index, name in enumerate(mine)
        )
        path = new_file(new)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(header + "\n\n" + body, encoding="utf-8")
        git("add", rel(path))
    git("rm", "-q", "-f", rel(src))


# --- rewriting references ------------------------------------------------------------------------------------------


def scope_files() -> list[Path]:
    files: list[Path] = []
    for entry in SCOPE:
        path = ROOT / entry
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            for sub in sorted(path.rglob("*")):
                if any(part in SKIP_DIRS for part in sub.relative_to(ROOT).parts):
                    continue
                if sub.is_file() and sub.suffix in TEXT_SUFFIXES and sub.resolve() != THIS:
                    files.append(sub)
    return files


def resolve(dotted: str) -> tuple[str, str] | None:
    """(old prefix, new dotted name) for the longest old module that ``dotted`` starts with; None if none."""
    table = all_old_modules()
    parts = dotted.split(".")
    for length in range(len(parts), 1, -1):
        prefix = ".".join(parts[:length])
        if prefix not in table:
            continue
        rest = parts[length:]
        target = table[prefix]
        if target is None:
            if not rest:
                raise Stop(f"`{dotted}` names a module that is split: import its names instead")
            where = name_to_part(prefix)
            if rest[0] not in where:
                raise Stop(f"`{dotted}`: {rest[0]!r} is in no part of SPLITS[{prefix!r}]")
            return prefix, ".".join([where[rest[0]], published(prefix, rest[0]), *rest[1:]])
        return prefix, ".".join([target, *rest])
    return None


def rewrite_import_from(stmt: ast.ImportFrom) -> list[str] | None:
    """The statements that replace ``stmt`` (one per target module), or None when it needs no change."""
    module = stmt.module or ""
    if stmt.level:
        return None
    table = all_old_modules()
    groups: dict[str, list[str]] = {}
    changed = False
    for alias in stmt.names:
        local = alias.asname or alias.name
        full = f"{module}.{alias.name}"
        if full in table:  # `from composefix import engine` (a module)
            if table[full] is None:
                raise Stop(f"`from {module} import {alias.name}` imports a module that is split")
            new = table[full] or ""
            parent, _, leaf = new.rpartition(".")
            groups.setdefault(parent, []).append(leaf if leaf == local else f"{leaf} as {local}")
            changed = True
            continue
        found = resolve(full) if module.startswith(PACKAGE + ".") else None
        if found is not None:
            new = found[1]
            parent, _, leaf = new.rpartition(".")
            groups.setdefault(parent, []).append(leaf if leaf == local else f"{leaf} as {local}")
            changed = True
        else:
            groups.setdefault(module, []).append(alias.name if alias.asname is None else f"{alias.name} as {local}")
    if not changed:
        return None
    return [f"from {target} import {', '.join(names)}" for target, names in groups.items()]


def rewrite_python_imports(text: str) -> str:
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    edits: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            replacement = rewrite_import_from(node)
            if replacement is None:
                continue
            indent = re.match(r"\s*", lines[node.lineno - 1]).group(0)  # type: ignore[union-attr]
            edits.append(
                (node.lineno, node.end_lineno or node.lineno, "".join(f"{indent}{line}\n" for line in replacement))
            )
    for start, end, new in sorted(edits, reverse=True):
        lines[start - 1 : end] = [new]
    return "".join(lines)


DOTTED = re.compile(r"(?<![\w.])composefix(?:\.[A-Za-z_]\w*)+")
PATHS = re.compile(r"(?<![\w./-])composefix(?:/[A-Za-z_]\w*)+(?:\.py|/)?")


def rewrite_dotted(text: str, unmapped: list[str], where: str) -> str:
    def dotted(match: re.Match[str]) -> str:
        value = match.group(0)
        try:
            found = resolve(value)
        except Stop as exc:
            unmapped.append(f"{where}: {exc}")
            return value
        return value if found is None else found[1]

    def path(match: re.Match[str]) -> str:
        value = match.group(0)
        if value.endswith("/") or not value.endswith(".py"):  # a folder: only a package moved whole changes
            module = value.rstrip("/").replace("/", ".")
            if module in PACKAGE_RENAMES:
                return PACKAGE_RENAMES[module].replace(".", "/") + value[len(value.rstrip("/")) :]
            return value
        module = value[: -len(".py")].replace("/", ".")
        if module.endswith(".__init__"):
            module = module[: -len(".__init__")]
            return MOVES[module].replace(".", "/") + ".py" if module in MOVES else value
        if module in MOVES:
            return MOVES[module].replace(".", "/") + ".py"
        if module in SPLITS:
            unmapped.append(f"{where}: `{value}` names a file that is split (name the new module instead)")
        return value

    text = DOTTED.sub(dotted, text)
    return PATHS.sub(path, text)


# An old package moved as a whole (its folder named in prose: `composefix/report/`).
PACKAGE_RENAMES = {"composefix.report": "composefix.reporting"}


def _prose_lines(text: str) -> set[int]:
    """0-based numbers of the lines of ``text`` that hold only a comment, or lie inside a triple-quoted string."""
    found: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT and not token.line[: token.start[1]].strip():
            found.add(token.start[0] - 1)
        elif token.type == tokenize.STRING and token.string.lstrip("rbuRBU").startswith(('"""', "'''")):
            found.update(range(token.start[0] - 1, token.end[0]))
    return found


def wrap_long_lines(new: str, old: str) -> str:
    """Break the comment and docstring lines that a longer module name pushed past the line length (ruff format
    leaves prose alone): the words that overflow go to the start of the next line of the same paragraph (or to a
    line of their own). Lines that were already there as they are stay untouched."""
    before = set(old.splitlines())
    lines = new.splitlines(keepends=True)
    prose = _prose_lines(new)
    number = 0
    while number < len(lines):
        line = lines[number]
        body = line.rstrip("\n")
        if len(body) <= LINE_LENGTH or body in before or number not in prose:
            number += 1
            continue
        indent = re.match(r"\s*", body).group(0)  # type: ignore[union-attr]
        lead = indent + ("# " if body.lstrip().startswith("#") else "")
        cut = body.rfind(" ", len(lead) + 1, LINE_LENGTH + 1)
        if cut <= len(lead):
            number += 1
            continue
        head, rest = body[:cut].rstrip(), body[cut + 1 :]
        lines[number] = head + "\n"
        following = lines[number + 1].rstrip("\n") if number + 1 < len(lines) else ""
        content = following[len(lead) :]
        if (
            number + 1 in prose
            and following.startswith(lead)
            and content.strip()
            and not content.startswith((" ", "-", "*", "|", "`", "#", '"""'))
        ):
            lines[number + 1] = lead + rest + " " + content + "\n"
            before.discard(lines[number + 1].rstrip("\n"))
        else:
            lines.insert(number + 1, lead + rest + "\n")
        number += 1
    return "".join(lines)


def rewrite_references() -> None:
    unmapped: list[str] = []
    changes: dict[Path, str] = {}
    for path in scope_files():
        text = path.read_text(encoding="utf-8")
        new = text
        if path.suffix == ".py":
            new = rewrite_python_imports(new)
        new = rewrite_dotted(new, unmapped, rel(path))
        if path.suffix == ".py" and new != text:
            new = wrap_long_lines(new, text)
        if new != text:
            changes[path] = new
    if unmapped:
        raise Stop("references the tables cannot map:\n  " + "\n  ".join(sorted(set(unmapped))))
    for path, text in changes.items():
        path.write_text(text, encoding="utf-8")


# --- the layout section of CONTRIBUTING.md --------------------------------------------------------------------------


def first_line(path: Path) -> str:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return " ".join(doc.split("\n\n")[0].split())


def layout_section() -> str:
    intro = (
        "The subpackages follow the pipeline: a run reads files into a project, analyses it, runs the rules, "
        "reports the findings and, for `rewrite`, fixes them. A subpackage imports only from the ones before it "
        "(`tests/test_layout.py` checks the direction and that there are no cycles):"
    )
    out = [LAYOUT_BEGIN, "## Package layout", "", textwrap.fill(intro, MARKDOWN_WIDTH, break_on_hyphens=False), ""]
    base = ROOT / PACKAGE
    for name in ("model", "resources", "masking"):
        out.append(f"- `composefix/{name}.py`: {first_line(base / (name + '.py'))}")
    out.append(f"- `composefix/data/`: {DATA_DOC}")
    for package in PACKAGES:
        folder = ROOT.joinpath(*package.split("."))
        out.append(f"- `{package.replace('.', '/')}/`: {first_line(folder / '__init__.py')}")
        for module in sorted(folder.glob("*.py")):
            if module.stem == "__init__" or re.match(r"cf\d{3}_", module.stem):
                continue
            out.append(f"  - `{module.stem}.py`: {first_line(module)}")
    for name in ("cli", "entry", "server"):
        out.append(f"- `composefix/{name}.py`: {first_line(base / (name + '.py'))}")
    items = [
        textwrap.fill(
            line,
            MARKDOWN_WIDTH,
            subsequent_indent=" " * (len(line) - len(line.lstrip()) + 2),
            break_on_hyphens=False,
        )
        if line.lstrip().startswith("- ")
        else line
        for line in out
    ]
    return "\n".join([*items, LAYOUT_END]) + "\n"


def write_layout_section() -> None:
    path = ROOT / "CONTRIBUTING.md"
    text = path.read_text(encoding="utf-8")
    section = layout_section()
    if LAYOUT_BEGIN in text and LAYOUT_END in text:
        start = text.index(LAYOUT_BEGIN)
        end = text.index(LAYOUT_END) + len(LAYOUT_END) + 1
        text = text[:start] + section + text[end:]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


# --- ruff ----------------------------------------------------------------------------------------------------------


def find_ruff() -> str:
    local = ROOT / ".venv" / "bin" / "ruff"
    command = str(local) if local.exists() else shutil.which("ruff")
    if command is None:
        raise Stop("ruff not found (.venv/bin/ruff or on PATH)")
    return command


def ruff(command: str) -> None:
    # Format first (long import lines), then sort imports and drop unused ones, then format what that changed.
    subprocess.run([command, "format", "--quiet", "."], cwd=ROOT, check=True)
    subprocess.run([command, "check", "--fix", "--quiet", "."], cwd=ROOT, check=False)
    subprocess.run([command, "format", "--quiet", "."], cwd=ROOT, check=True)


def main() -> int:
    try:
        command = find_ruff()
        preflight()
        # References first, while every old module is still where the tables say: nothing is moved when one
        # cannot be mapped.
        rewrite_references()
        ensure_packages()
        move_modules()
        for old in SPLITS:
            split_module(old)
        write_layout_section()
        ruff(command)
    except Stop as exc:
        print(f"relayout: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

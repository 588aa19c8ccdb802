"""action.yml validates against the GitHub Actions schema that check-jsonschema ships, and runs composefix."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from jsonschema.validators import validator_for

from composefix.reading.document import parse, to_data
from tests.helpers import ROOT

ACTION = to_data(parse((ROOT / "action.yml").read_text(encoding="utf-8"), "action.yml").root)


def vendored(name: str) -> dict:
    spec = importlib.util.find_spec("check_jsonschema")
    assert spec is not None and spec.submodule_search_locations
    path = Path(next(iter(spec.submodule_search_locations))) / "builtin_schemas" / "vendor" / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_action_yml_is_valid():
    schema = vendored("github-actions")
    errors = list(validator_for(schema)(schema).iter_errors(ACTION))
    assert errors == []


def test_inputs_and_commands():
    assert set(ACTION["inputs"]) == {"paths", "targets", "args", "sarif", "python-version"}
    assert ACTION["runs"]["using"] == "composite"
    scripts = "\n".join(step.get("run", "") for step in ACTION["runs"]["steps"])
    assert 'pip install --disable-pip-version-check "$GITHUB_ACTION_PATH"' in scripts
    assert "composefix check --format github" in scripts
    assert "composefix check --format sarif -o composefix.sarif" in scripts
    uses = [step.get("uses", "") for step in ACTION["runs"]["steps"]]
    assert "github/codeql-action/upload-sarif@v3" in uses
    # Inputs reach the script through the environment, never pasted into it (no script injection).
    assert "${{ inputs." not in scripts


def test_readme_workflow_snippet_uses_the_action():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    snippet = readme.split("```yaml\n# .github/workflows/compose.yml\n", 1)[1].split("```", 1)[0]
    workflow = to_data(parse(snippet, "workflow.yml").root)
    schema = vendored("github-workflows")
    assert list(validator_for(schema)(schema).iter_errors(workflow)) == []
    steps = workflow["jobs"]["composefix"]["steps"]
    assert any(str(step.get("uses", "")).startswith("composefix/composefix@") for step in steps)

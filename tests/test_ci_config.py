"""The CI workflows and the pre-commit hooks a contributor's pull request meets."""

from __future__ import annotations

import helpers
import yaml


def test_ci_workflows_are_read_only_and_time_limited():
    for path in sorted((helpers.ROOT / ".github" / "workflows").glob("*.yml")):
        flow = yaml.safe_load(path.read_text(encoding="utf-8"))
        for name, job in flow["jobs"].items():
            assert "timeout-minutes" in job, f"{path.name}: job {name} has no timeout"
        if "pull_request" in flow.get(True, flow.get("on", {})):
            assert flow["permissions"] == {"contents": "read"}, f"{path.name}: pull requests run read-only"
            assert "secrets." not in path.read_text(encoding="utf-8"), f"{path.name}: pull requests get no secrets"


def test_pre_commit_runs_ruff_codespell_and_the_fast_checks():
    config = yaml.safe_load((helpers.ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}
    assert {"ruff", "codespell", "ramverk-check"} <= hooks

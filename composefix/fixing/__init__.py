"""Fixing: the plan that gathers the rules' typed changes, the two writers (in place and override file), and the rewrite
that checks the result with real Compose."""

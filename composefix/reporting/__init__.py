"""Reporting: the report formats (text, JSON, SARIF, GitHub, JUnit), the rule documentation, masking of secrets and the
one module that writes files."""

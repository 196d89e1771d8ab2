"""Terraform roots: thin compositions of ``constructs_lib`` constructs, one per apply step."""

import constructs_lib  # noqa: F401 - installs the lazy provider loader before any stack imports providers

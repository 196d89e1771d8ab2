"""Terraform roots: thin compositions of ``constructs_lib`` constructs, one per apply step."""

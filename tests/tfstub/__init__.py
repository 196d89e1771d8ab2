"""Offline ``terraform validate``: schema-only stub providers derived from the installed
cdktf provider bindings, served from a filesystem mirror."""

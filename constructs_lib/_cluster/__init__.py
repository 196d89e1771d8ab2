"""Reach, check and prepare an existing cluster: access and its variables, plan-time preflight
checks, the GIE CRDs and the metrics-reader RBAC. Imports the core and terraform wings only."""

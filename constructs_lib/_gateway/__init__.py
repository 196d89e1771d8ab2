"""Two API paths over one core: the ai-on-gke module path (GIE v0.3.0) and the v1 path, with
the pools, routes, body-based router and proxy-only subnet they share. Imports the core,
terraform, cluster, model server and edge wings; the module and v1 paths never import each
other."""

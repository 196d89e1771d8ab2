"""How the prebuilt provider bindings load: the lazy import hook, its tarball cache and the
warm-up. Standard library and jsii only; only the package face imports this wing."""

"""cdktf building blocks that know nothing of inference: the one door to the provider bindings,
Terraform and provider floors, and manifest bundles. Imports the core wing only."""

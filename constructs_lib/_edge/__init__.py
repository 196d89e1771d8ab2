"""What stands in front of a Gateway: the static address, HTTPS certificates and redirect, and
Model Armor screening. Knows no gateway path: its constructs take the gateway's name, namespace
and class as arguments. Imports the core and terraform wings only."""

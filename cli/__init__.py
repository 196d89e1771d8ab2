"""The commands around the app: synth (main.py), deploy, the configuration reference and the
warm-up, with the YAML loader, output-directory safety and --explain they use. Imports
``stacks`` and the public face of ``constructs_lib``; nothing imports it back."""

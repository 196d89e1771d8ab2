"""One vLLM server and what hangs off it: its props and drain timings, the Deployment, the
Hugging Face token, its PodMonitoring and autoscaler. Imports the core and terraform wings
only."""

"""The floor every cdktf Python app pays: one stack with one output. ``make bench`` measures
each synth against it, in the same run, so the ratio does not depend on the machine."""

import sys

from cdktf import App, TerraformOutput, TerraformStack

app = App(outdir=sys.argv[1])
TerraformOutput(TerraformStack(app, "floor"), "hello", value="world")
app.synth()

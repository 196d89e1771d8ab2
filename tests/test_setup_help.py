"""Help texts say what every option does, and the summary counts in English."""

import re

import pytest

from cli import deploy, synth


def _help(main, capsys) -> str:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    # argparse wraps long words at hyphens: join them back.
    return re.sub(r"-\s+", "-", " ".join(capsys.readouterr().out.split()))


def test_the_synth_help_names_the_var_file_for_both_ways_to_apply(capsys):
    with pytest.raises(SystemExit):
        synth.main(["--help"])
    lines = capsys.readouterr().out.splitlines()
    # Commands to copy stand whole on their lines: argparse wraps none of them.
    assert "  cp values.tfvars.example values.tfvars   # fill in the project, cluster and network" in lines
    assert any(line.startswith("  make apply VARS=values.tfvars ") for line in lines)
    assert any("CHECKPOINT_DISABLE=1 npx cdktf-cli@0.21 deploy '*' --var-file=$PWD/values.tfvars" in line
               for line in lines)


def test_every_deploy_argument_has_a_help_text(capsys):
    text = _help(deploy.main, capsys)
    for described in ("{apply,destroy} apply: dependencies first",
                      "--outdir OUTDIR where 'make synth'",
                      "--var-file VAR_FILE e.g. values.tfvars",
                      "--auto-approve pass -auto-approve to terraform",
                      "--dry-run print the commands"):
        assert described in text


@pytest.mark.parametrize(("count", "noun", "expected"), [
    (0, "module", "0 modules"), (1, "module", "1 module"), (2, "data source", "2 data sources"),
    (1, "resource", "1 resource"),
])
def test_counts_agree_with_their_nouns(count, noun, expected):
    assert synth._counted(count, noun) == expected

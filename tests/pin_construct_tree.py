"""Re-pin the default app's construct tree after a deliberate construct id change:
``make docs`` runs it. Ids are a public contract: record every change in CHANGELOG.md."""

import tempfile
from pathlib import Path

from helpers import CONSTRUCT_TREE, construct_tree

if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as scratch:
        CONSTRUCT_TREE.write_text(construct_tree(Path(scratch)))
    print(f"wrote {CONSTRUCT_TREE}")

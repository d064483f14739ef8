"""`hyosan schema [--kind KIND]`: print the JSON Schema of story files, for editors.

`hyosan schema > story.schema.json`, then point your YAML language server at it (see
docs/authoring.md). The same schema ships in the package as engine/data/story.schema.json.
"""

from __future__ import annotations

import argparse
import sys

from engine.compiler.schema import KINDS, schema_text
from engine.errors import EXIT_OK

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--kind",
        choices=KINDS,
        default="all",
        help="all (default: any story file, told apart by its keys), manifest, episode or branch",
    )


def run(args: argparse.Namespace) -> int:
    sys.stdout.write(schema_text(args.kind))
    return EXIT_OK

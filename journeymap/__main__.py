"""``python -m journeymap``: the ``journeymap`` command, for environments without the script on PATH."""

from __future__ import annotations

from journeymap.cli import cli_main

if __name__ == "__main__":
    cli_main()

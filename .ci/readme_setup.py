"""Print the shell commands of README.md's "## Set up" section, one per line.

``.ci/run`` runs exactly these commands in a fresh virtual environment, so the README
and CI cannot drift apart.  Exits with a message unless there are two one-line
commands: the first installs the package and runs the main job, the second installs
the test dependencies and runs the whole test suite.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def setup_commands(readme: str) -> list[str]:
    """The ```sh blocks of the "## Set up" section, in order."""
    if "\n## Set up\n" not in readme:
        return []
    section = readme.split("\n## Set up\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", section, flags=re.DOTALL)


def main() -> int:
    commands = setup_commands(README.read_text(encoding="utf-8"))
    if len(commands) != 2 or any("\n" in command for command in commands):
        print(
            f"{README.name}: the '## Set up' section must hold two one-line sh commands "
            f"(install and check, install and test); found {commands!r}",
            file=sys.stderr,
        )
        return 1
    print("\n".join(commands))
    return 0


if __name__ == "__main__":
    sys.exit(main())

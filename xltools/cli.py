"""The `xltools` command: a thin layer over the library that maps outcomes to exit codes.

Exit codes: 0 no error finding, 1 at least one error finding, 2 usage error (click's own).
"""

from __future__ import annotations

import sys

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="xltools")
def main() -> None:
    """上海市财政支出项目绩效目标申报表工具：生成模板、校验、汇总。"""


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

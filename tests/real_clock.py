"""The environment of a helper program that must run on the real clock under
`scripts/test.sh --clock` (libfaketime): Chromium hangs there and a private redis-server never
answers. Their own clock matters to no test: the server and the worker read the shifted one."""

import os


def real_clock_env() -> dict[str, str]:
    return {
        name: value
        for name, value in os.environ.items()
        if name != "LD_PRELOAD" and not name.startswith("FAKETIME")
    }

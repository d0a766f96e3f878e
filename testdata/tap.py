# SPDX-License-Identifier: MIT
"""TAP helpers shared by the test scripts (run-cli.py, run-kernel-errors.py,
run-runtime-errors.py): a list of results, the "clear error" check, the plan."""
import os
import shutil
import subprocess

SETPRIV = '/usr/bin/setpriv'


def unprivileged(cmd, reach=()):
    """cmd as a user whom chmod 000 stops (root reads anything, and CI runs
    as root): under setpriv as nobody when root, else as is. None when that
    cannot be: no setpriv, or nobody cannot run cmd[0] or enter a directory
    of reach (a checkout in a private directory, as mktemp -d makes). The
    files cmd needs must be readable by nobody."""
    if os.geteuid() != 0:
        return cmd
    if not os.access(SETPRIV, os.X_OK):
        return None
    nobody = [SETPRIV, '--reuid=65534', '--regid=65534', '--clear-groups']
    for path in (cmd[0],) + tuple(reach):
        if subprocess.run(nobody + ['test', '-x', path]).returncode:
            return None
    return nobody + cmd


class Tap:
    def __init__(self):
        self.results = []  # (ok, name, detail)

    def ok(self, name, cond, detail=''):
        self.results.append((bool(cond), name, detail))

    def error_line(self, name, cmd, status, needle, stdin=None, timeout=120):
        """cmd exits with status, writes nothing to stdout and exactly one
        stderr line, which contains needle: what a user must get for bad input.
        A run still going after timeout seconds (a hang) fails the check."""
        try:
            p = subprocess.run(cmd, capture_output=True, timeout=timeout, stdin=stdin)
        except subprocess.TimeoutExpired:
            self.ok(name, False, f'no exit within {timeout} s')
            return
        err = p.stderr.decode(errors='replace')
        lines = err.splitlines()
        self.ok(name, p.returncode == status and len(lines) == 1 and needle in lines[0]
                and not p.stdout,
                f'exit {p.returncode}, stderr {err!r}, stdout {p.stdout[:200]!r}')

    def finish(self):
        """Print the plan and the results; the exit status for sys.exit()."""
        print(f'1..{len(self.results)}')
        for i, (ok, name, detail) in enumerate(self.results, 1):
            print(f'{"ok" if ok else "not ok"} {i} - {name}')
            if not ok and detail:
                print('# ' + str(detail)[:500].replace('\n', '\n# '))
        return 0 if all(ok for ok, _, _ in self.results) else 1


# The decompression cap's words, as the tool writes them (decompress_stream.c).
LIMIT_WHY = '(the limit against decompression bombs; --max-decompressed raises it)'


def size_text(v):
    """A limit as the tool writes it: the largest binary unit v is a whole number of."""
    units, u = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'], 0
    while u < 4 and v and v % 1024 == 0:
        v, u = v // 1024, u + 1
    return f'{v} {"byte" if v == 1 and u == 0 else units[u]}'


# Where .ci/setup installs Microsoft's SARIF Multitool.
CI_MULTITOOL = '/opt/sarif-multitool/node_modules/@microsoft/sarif-multitool-linux'


def sarif_multitool():
    """The Multitool, or None; $SARIF_MULTITOOL, when set, is the only place looked at."""
    env = os.environ.get('SARIF_MULTITOOL')
    for cand in ([env] if env is not None else
                 [shutil.which('Sarif.Multitool'), os.path.join(CI_MULTITOOL, 'Sarif.Multitool')]):
        if cand and os.access(cand, os.X_OK):
            return cand
    return None

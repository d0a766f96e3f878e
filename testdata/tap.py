# SPDX-License-Identifier: MIT
"""TAP helpers shared by the test scripts (run-cli.py, run-kernel-errors.py,
run-runtime-errors.py): a list of results, the "clear error" check, the plan."""
import subprocess


class Tap:
    def __init__(self):
        self.results = []  # (ok, name, detail)

    def ok(self, name, cond, detail=''):
        self.results.append((bool(cond), name, detail))

    def error_line(self, name, cmd, status, needle, stdin=None):
        """cmd exits with status, writes nothing to stdout and exactly one
        stderr line, which contains needle: what a user must get for bad input."""
        p = subprocess.run(cmd, capture_output=True, timeout=120, stdin=stdin)
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

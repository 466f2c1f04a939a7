#!/usr/bin/env bash
# Run the test suite with the project venv:  scripts/run_tests.sh [pytest args...]
# Extra pytest arguments also come from $PYTEST_ARGS (shell-quoted, e.g. PYTEST_ARGS='-k "a and b" -x').
# pytest's output, summary line included, is passed through unchanged.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PY=.venv/bin/python
if [ ! -x "$PY" ]; then
    echo "run_tests.sh: $PY missing; run 'make test' (or scripts/setup.sh) first" >&2
    exit 1
fi

extra=()
if [ -n "${PYTEST_ARGS:-}" ]; then
    eval "extra=( ${PYTEST_ARGS} )"
fi

"$PY" -m pytest "${extra[@]}" "$@"
rc=$?

# pytest exit code 5 means "no tests were collected".
# Choice: while tests/ holds no test files at all (an early or empty checkout) that is not an
# error, so CI must not fail on it: say so and exit 0. Once tests/ has test files, collecting
# nothing means something is wrong (a broken selection, an import-time skip of everything, a
# bad testpaths), so say so and exit 1.
if [ "$rc" -eq 5 ]; then
    if [ -d tests ] && [ -n "$(find tests -type f \( -name 'test_*.py' -o -name '*_test.py' \) -print -quit)" ]; then
        echo "run_tests.sh: pytest collected no tests although tests/ has test files (check the selection: PYTEST_ARGS='${PYTEST_ARGS:-}' args='$*'); failing." >&2
        exit 1
    fi
    echo "run_tests.sh: no test files under tests/ yet; nothing to run (not a failure)."
    exit 0
fi
exit "$rc"

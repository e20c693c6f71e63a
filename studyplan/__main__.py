"""The `studyplan` command (and `python -m studyplan`).

Each command is a short-lived process: it loads a roadmap and a snapshot (for a big vault,
a few hundred thousand objects), prints, and exits. The cyclic garbage collector would
walk all of them again and again while they load, for garbage that is freed by reference
counting anyway; with ten thousand cards that was a fifth of a `review`. So the command
turns it off before anything is imported. Code that imports studyplan as a library
(tests, benchmarks) keeps it on.
"""

import gc


def main() -> None:
    gc.disable()
    from studyplan.cli import main as run

    run()


if __name__ == "__main__":
    main()

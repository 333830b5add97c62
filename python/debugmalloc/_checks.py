"""Which checks run around each test: the value of --debugmalloc, of DEBUGMALLOC_PYTEST, and the
keywords of the debugmalloc marker. The names are those of the GoogleTest listener's
DEBUGMALLOC_GTEST (include/debugmalloc/gtest.h), so that one word means one check everywhere.
"""
from __future__ import annotations

import dataclasses
from typing import Mapping, Optional

CHECK_NAMES = ("leaks", "errors", "check_heap")
ALL = ("1", "on", "all")
NONE = ("0", "off", "none")
ENVIRONMENT_VARIABLE = "DEBUGMALLOC_PYTEST"


class BadChecks(ValueError):
    """A value that names no check; the message says which part and what is accepted."""


@dataclasses.dataclass(frozen=True)
class Checks:
    leaks: bool = True  # blocks allocated during the test and leaked (definite, indirect)
    errors: bool = True  # heap errors reported while the test ran
    check_heap: bool = True  # every block's guards checked at the end of the test

    def __bool__(self) -> bool:
        return self.leaks or self.errors or self.check_heap

    def names(self) -> str:
        return ",".join(name for name in CHECK_NAMES if getattr(self, name)) or "none"


def parse(value: Optional[str], source: str) -> Checks:
    """Checks from a comma list of leaks, errors, check_heap; all/on/1 for every check and
    none/off/0 for none. Unset or empty: every check. `source` names where the value came from,
    for the message of BadChecks."""
    if value is None or value.strip() == "":
        return Checks()
    chosen = dict.fromkeys(CHECK_NAMES, False)
    for item in (part.strip() for part in value.split(",")):
        if item in ALL:
            chosen = dict.fromkeys(CHECK_NAMES, True)
        elif item in NONE:
            chosen = dict.fromkeys(CHECK_NAMES, False)
        elif item in chosen:
            chosen[item] = True
        elif item:
            raise BadChecks("%s: unknown check '%s' (a comma list of %s; or all, or none)" %
                            (source, item, ", ".join(CHECK_NAMES)))
    return Checks(**chosen)


def from_marker(base: Checks, keywords: Mapping[str, object], source: str) -> Checks:
    """`base` with the marker's keywords applied (leaks=False, ...)."""
    unknown = sorted(set(keywords) - set(CHECK_NAMES))
    if unknown:
        raise BadChecks("%s: unknown keyword '%s' (%s)" % (source, unknown[0], ", ".join(CHECK_NAMES)))
    return dataclasses.replace(base, **{name: bool(value) for name, value in keywords.items()})

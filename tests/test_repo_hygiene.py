"""The repository itself: no merge leftovers, no references outside the clone.

Named after the fault: a merge once committed conflict markers into docs/architecture.md."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(rb"^(<{7} |>{7} |={7}$)", re.MULTILINE)


def _tracked() -> list[Path]:
    names = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, check=True, text=True
    ).stdout.split()
    return [ROOT / name for name in names if (ROOT / name).is_file()]


def test_no_conflict_markers_committed() -> None:
    bad = [str(p.relative_to(ROOT)) for p in _tracked() if MARKER.search(p.read_bytes())]
    assert bad == []


def test_nothing_points_outside_the_clone() -> None:
    pattern = re.compile(rb"\.\./shared|/work/shared")
    bad = [
        str(p.relative_to(ROOT))
        for p in _tracked()
        if p.name != "test_repo_hygiene.py" and pattern.search(p.read_bytes())
    ]
    assert bad == []


def test_citations_point_at_the_projects_own_docs() -> None:
    """Code and docs cite docs/behaviour.md, not a spec a user's clone does not have."""
    pattern = re.compile(rb"\bSPEC (?:[A-Z]{1,2}\d|S1b|section|\xc2\xa7|\d)")
    bad = [
        str(p.relative_to(ROOT))
        for p in _tracked()
        if p.name != "test_repo_hygiene.py" and pattern.search(p.read_bytes())
    ]
    assert bad == []

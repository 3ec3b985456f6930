"""The repository's own documents link to files and headings that exist.

Relative Markdown links in the README, CONTRIBUTING, the CHANGELOG, ``experiments/README.md`` and
``docs/`` must name a file of the checkout, and a ``#fragment`` a heading of the file it points
into (GitHub's anchors: the heading lower-cased, punctuation but hyphens dropped, spaces as
hyphens). Links to the web and links inside code are not checked.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCUMENTS = sorted(
    [
        REPO / "README.md",
        REPO / "CONTRIBUTING.md",
        REPO / "CHANGELOG.md",
        REPO / "experiments" / "README.md",
        *(REPO / "docs").glob("*.md"),
    ]
)
_LINK = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
_CODE = re.compile(r"`[^`\n]*`")


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading's text: lower case, code marks and punctuation dropped
    (hyphens and underscores kept), spaces as hyphens."""
    text = re.sub(r"[`*]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """The anchors of a Markdown file's headings (outside fenced code); a repeated heading's
    second anchor ends in ``-1``, its third in ``-2``, as GitHub numbers them."""
    text = _FENCE.sub("", path.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    found = set()
    for m in re.finditer(r"^#{1,6} +(.+?) *$", text, re.MULTILINE):
        base = anchor(m.group(1))
        n = seen.get(base, 0)
        seen[base] = n + 1
        found.add(base if n == 0 else f"{base}-{n}")
    return found


def links(path: Path) -> list[str]:
    """The relative link targets of a Markdown file, outside code."""
    text = _CODE.sub("", _FENCE.sub("", path.read_text(encoding="utf-8")))
    return [t for t in _LINK.findall(text) if not re.match(r"^[a-z][a-z0-9+.-]*:", t)]


def broken(document: Path) -> list[str]:
    """The relative links of ``document`` that name no file, or no heading of the file."""
    found = []
    for target in links(document):
        name, _, fragment = target.partition("#")
        path = (document.parent / name).resolve() if name else document
        if not path.exists():
            found.append(f"{target}: no such file")
        elif fragment and path.suffix == ".md" and fragment not in anchors(path):
            found.append(f"{target}: no such heading")
    return found


def test_anchor_follows_githubs_rule() -> None:
    assert anchor("What limits speed now") == "what-limits-speed-now"
    assert anchor("Exactness: every number the same") == "exactness-every-number-the-same"
    assert anchor("The `retention` command, step by step") == "the-retention-command-step-by-step"
    assert anchor("`run_many` and `simulate_many`") == "run_many-and-simulate_many"


def test_broken_links_are_found(tmp_path: Path) -> None:
    (tmp_path / "b.md").write_text("# Other page\n\n## Notes\n\n## Notes\n")
    page = tmp_path / "a.md"
    page.write_text(
        "# Top\n\n[ok](#top) [gone](missing.md) [bad](#nowhere) `[x](y.md)`\n"
        "[there](b.md#notes-1) [not there](b.md#notes-2) [web](https://example.org/x.md)\n"
    )
    assert links(page) == ["#top", "missing.md", "#nowhere", "b.md#notes-1", "b.md#notes-2"]
    assert broken(page) == [
        "missing.md: no such file",
        "#nowhere: no such heading",
        "b.md#notes-2: no such heading",
    ]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_resolve(document: Path) -> None:
    assert broken(document) == [], document.name


def test_every_shipped_scenario_preset_is_in_the_readmes_presets_table():
    """The five ``policies/*`` presets that ``retention presets`` lists were missing from the
    README's table (a user's report)."""
    from model.scenario import list_presets

    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Presets") :]
    section = section[: section.index("\n## ", 1)]
    named = set(re.findall(r"^\| `([^`]+)` \|", section, flags=re.MULTILINE))
    assert {p.name for p in list_presets()} == named

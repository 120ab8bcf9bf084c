"""The book's page tuning (book/_ext/page_tuning.py): Font Awesome trimmed to the icons in use."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))

import page_tuning  # noqa: E402

# the minified shape of Font Awesome's icon packs: quoted names, identifier names, aliases, duotone paths
SCRIPT = ('var a={"magnifying-glass":[512,512,[128269,"search"],"f002","M1 2z"],"bars":[448,512,["navicon"],"f0c9","M3 4z"],'
          '"trash":[448,512,[],"f1f8","M5 6z"],github:[496,512,[],"f09b","M7 8z"],mandalorian:[448,512,[],"f50f","M9 0z"],'
          '"duo":[512,512,[],"e000",["M1z","M2z"]]};core();')


def test_only_icons_named_by_name_or_alias_are_kept():
    trimmed = page_tuning.keep_icons(SCRIPT, {"search", "github", "navicon"})
    assert '"magnifying-glass":' in trimmed and '"bars":' in trimmed and "github:" in trimmed
    assert '"trash"' not in trimmed and "mandalorian" not in trimmed and '"duo"' not in trimmed
    assert trimmed.endswith("};core();") and ",," not in trimmed and "{," not in trimmed


def test_a_dropped_first_icon_leaves_a_well_formed_object():
    trimmed = page_tuning.keep_icons(SCRIPT, {"trash"})
    assert trimmed.startswith('var a={"trash":') and trimmed.endswith("};core();")
    assert page_tuning.keep_icons(SCRIPT, set()) == "var a={};core();"

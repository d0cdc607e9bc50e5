"""Which layout profile the buttons read the live workbook with.

A ``layout.toml`` beside the workbook comes first, then the user-wide ``LAYOUT`` setting in the
add-in's own settings file (``xlscorecard addin install --layout PROFILE.toml``). As with the
command line's repeated ``--layout``, the first whose ``files`` patterns match the workbook's
name applies; none applying, the sheet is read by the vocabulary alone. A profile that cannot be
used is a one-line SettingsError naming it (and, for the setting, the settings file).
"""

from __future__ import annotations

from pathlib import Path

from xlscorecard.addin.conf import LAYOUT_KEY, read_setting, user_settings_file
from xlscorecard.core.errors import SettingsError
from xlscorecard.core.reading.profile import Profile, load_profile

LAYOUT_FILE = "layout.toml"


def layout_profile(book_name: str, folder: Path | None, conf: Path | None = None) -> Profile | None:
    """The profile for the workbook `book_name` saved in `folder` (None: unsaved or online), or None."""
    if folder is not None and (folder / LAYOUT_FILE).is_file():
        beside = load_profile(folder / LAYOUT_FILE)
        if beside.matches(book_name):
            return beside
    conf = conf or user_settings_file()
    setting = read_setting(conf, LAYOUT_KEY)
    if setting is None:
        return None
    try:
        profile = load_profile(Path(setting))
    except SettingsError as exc:
        raise SettingsError(f"{exc.message} (the add-in's {LAYOUT_KEY} setting in {conf})", exc.path) from None
    return profile if profile.matches(book_name) else None

"""The manifest in OUTBOX: what each input last converted to, and under which key, so an unchanged
input (same bytes, same rules, same version) is not converted again."""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from xlscorecard import __version__
from xlscorecard.batch.lines import now
from xlscorecard.batch.outbox import atomic_write
from xlscorecard.batch.report import ReportRow
from xlscorecard.core.settings import Settings

MANIFEST_NAME = ".xlscorecard-manifest.json"
MANIFEST_FORMAT = 1


class ManifestEntry(BaseModel):
    """What the last successful conversion of one input produced, and the key it was made under."""

    model_config = ConfigDict(extra="ignore")

    key: str  # sha256 of content hash + rules hash + version + output name
    sha256: str
    output: str
    row: ReportRow


def load_manifest(outbox: Path) -> tuple[dict[str, ManifestEntry], str | None]:
    """(entries, problem): a damaged manifest only means converting everything again."""
    path = outbox / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, None
    except (OSError, ValueError) as exc:
        return {}, f"manifest {MANIFEST_NAME} unreadable ({type(exc).__name__}); converting everything"
    entries: dict[str, ManifestEntry] = {}
    raw = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(raw, dict) or data.get("format") != MANIFEST_FORMAT:
        return {}, f"manifest {MANIFEST_NAME} not understood; converting everything"
    for name, value in raw.items():
        with contextlib.suppress(ValidationError):
            entries[name] = ManifestEntry.model_validate(value)
    return entries, None


def save_manifest(outbox: Path, entries: dict[str, ManifestEntry]) -> None:
    """Write the manifest atomically, its entries sorted by input name."""
    data = {
        "format": MANIFEST_FORMAT,
        "version": __version__,
        "saved_at": now(),
        "entries": {name: entry.model_dump(mode="json") for name, entry in sorted(entries.items())},
    }
    text = json.dumps(data, indent=1, ensure_ascii=False)
    atomic_write(outbox / MANIFEST_NAME, text.encode("utf-8", "backslashreplace"))


def manifest_key(content_sha: str, rules_sha: str, output: str) -> str:
    """The key a conversion is made under: the input's bytes, the rules, the version and the output name."""
    text = "\0".join((content_sha, rules_sha, __version__, output))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def rules_hash(settings: Settings) -> str:
    """Hash of the effective rules, so equivalent rules files (or none vs defaults) agree."""
    return hashlib.sha256(settings.to_json().encode("utf-8")).hexdigest()

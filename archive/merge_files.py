"""Bringing a shard's WARC and attached files into the target's folders, checked as they go.

A file is copied whole (so WARC record offsets stay valid) to a temporary name, hashed while
it is copied and compared with the digest the shard's checks found (archive/merge_shard.py),
then renamed into place. With `link`, a hard link replaces the copy (no bytes read: the checks
already hashed the file), falling back to a copy across filesystems. Every file created is
remembered so a merge that fails later can take them back (`discard`): the target's folders
end as they began.
"""

from __future__ import annotations

import errno
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from archive.merge_shard import ShardDamaged, ShardFile
from archive.warc import SUMS_FILE, WARC_DIR, file_sha256, read_sums

_LINK_FALLBACK = {errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EACCES}


@dataclass
class FilePlacer:
    """Places files under `folder` (the target archive's folder) and counts what it did."""

    folder: Path
    link: bool = False
    copied: int = 0
    linked: int = 0
    bytes: int = 0
    created: list[Path] = field(default_factory=list)
    new_sums: dict[str, str] = field(default_factory=dict)  # warc file name -> sha256

    def _put(self, shard: Path | str, src: ShardFile, dest: Path) -> None:
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = dest.with_name(f".{dest.name}.merge-part")
        if self.link:
            try:
                os.link(src.path, part)
                os.replace(part, dest)
                self.created.append(dest)
                self.linked += 1
                self.bytes += src.size
                return
            except OSError as exc:
                part.unlink(missing_ok=True)
                if exc.errno not in _LINK_FALLBACK:
                    raise
        digest = hashlib.sha256()
        size = 0
        try:
            with open(src.path, "rb") as fh, open(part, "wb") as out:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
                    out.write(block)
                    size += len(block)
                out.flush()
                os.fsync(out.fileno())
            if digest.hexdigest() != src.sha256:
                raise ShardDamaged(shard, f"{src.rel} changed while it was copied (sha256 "
                                          f"{digest.hexdigest()[:12]}… is not {src.sha256[:12]}…)")
            os.replace(part, dest)
        finally:
            part.unlink(missing_ok=True)
        self.created.append(dest)
        self.copied += 1
        self.bytes += size

    def place_warc(self, shard: Path | str, src: ShardFile) -> str:
        """Bring one WARC file; return its path relative to the target's folder. A name the
        target already uses for other bytes gets the file's sha256 prefix added."""
        name = Path(src.rel).name
        stem = name.removesuffix(".warc.gz")
        suffix = name[len(stem):]
        for candidate in (name, f"{stem}-{src.sha256[:12]}{suffix}"):
            dest = self.folder / WARC_DIR / candidate
            if not dest.exists():
                self._put(shard, src, dest)
                self.new_sums[candidate] = src.sha256
                return f"{WARC_DIR}/{candidate}"
            if dest.stat().st_size == src.size and file_sha256(dest) == src.sha256:
                return f"{WARC_DIR}/{candidate}"
        raise ShardDamaged(shard, f"{src.rel}: the target holds other bytes under both "
                                  f"{name} and its sha256-suffixed name")

    def place_attachment(self, shard: Path | str, src: ShardFile, rel: str) -> None:
        """Bring one attached file to `rel` (its path in the target's row) unless there. The
        name holds the sha256, so a file of the right size there is taken as the same."""
        dest = self.folder / rel
        if dest.is_file() and dest.stat().st_size == src.size:
            return
        self._put(shard, src, dest)

    def record_sums(self) -> None:
        """Add the WARC files brought in to the target's `warc/SHA256SUMS` (verify reads it);
        called once the merge has committed."""
        if not self.new_sums:
            return
        folder = self.folder / WARC_DIR
        known = read_sums(folder)
        lines = [f"{sha}  {name}\n" for name, sha in sorted(self.new_sums.items())
                 if known.get(name) != sha]
        if lines:
            with open(folder / SUMS_FILE, "a", encoding="utf-8") as fh:
                fh.writelines(lines)

    def discard(self) -> None:
        """Remove every file this merge created (it failed: the target stays as it was)."""
        for path in reversed(self.created):
            path.unlink(missing_ok=True)
        self.created.clear()
        self.new_sums.clear()

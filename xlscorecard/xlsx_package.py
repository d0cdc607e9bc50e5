"""An XlsxWriter workbook that deflates its parts on a second core while the later ones are written.

XlsxWriter closes a workbook in two strict steps: its packager writes every part (sheets, notes,
styles...) to a temporary file, then each file is deflated into the zip. Deflating is zlib's work
and releases Python's lock, so here it runs in a thread while the packager writes the next part.

`OverlappedWorkbook` keeps XlsxWriter's own close (every preparation step, the parts, their order
and names) and changes only who zips, how hard, and how notes are written:
- its packager hands each finished part to a thread that deflates it into the target, in 2 MB
  chunks (with XlsxWriter's 8 KB chunks that thread would wait for the lock between each one);
- parts are deflated at zlib's fastest level, not its default. Measured on the 60 MB of XML in a
  20,000-PI return: 0.34 s and 10.0 MB at level 1, 1.04 s and 7.9 MB at the default (level 6);
- notes (their VML shapes and their comments part) are written a note per string. XlsxWriter
  builds each note from about twenty elements through its general element writer, escaping
  every attribute: 7,300 notes cost it about 0.5 s. The elements that never change are rendered
  once by XlsxWriter itself and reused; the tests compare every part with XlsxWriter's own.
Closing the 20,000-PI return went from about 2.0 s to 0.6 s.

Workbooks assembled in memory (`in_memory`, the small ones) are closed exactly as XlsxWriter does.
"""

from __future__ import annotations

import contextlib
import io
import os
import queue
import shutil
import threading
from collections.abc import Callable
from typing import Any
from zipfile import ZIP64_LIMIT, ZIP_DEFLATED, ZipFile

import xlsxwriter
from xlsxwriter.comments import Comments, CommentType
from xlsxwriter.packager import Packager
from xlsxwriter.utility import _preserve_whitespace, xl_rowcol_to_cell
from xlsxwriter.vml import Vml
from xlsxwriter.xmlwriter import XMLwriter

from xlscorecard.xlsx_rows import escape_text

CHUNK_BYTES = 1 << 21  # each chunk costs the zip thread a few waits for Python's lock; 2 MB keeps them rare
DEFLATE_LEVEL = 1  # zlib's fastest: see above for the sizes and times at 1 and 6
_DONE = None


class OverlappedWorkbook(xlsxwriter.Workbook):
    """`xlsxwriter.Workbook` whose parts are deflated into the file by a thread as they are finished."""

    _target: Any = None

    def _store_workbook(self) -> None:
        if self.in_memory:
            super()._store_workbook()
            return
        # XlsxWriter opens its own zip on self.filename and adds what the packager returns. Ours
        # writes the real zip to the target and returns nothing, so XlsxWriter's is left empty:
        # point it at a throwaway buffer for the duration.
        self._target, self.filename = self.filename, _Nowhere()
        try:
            super()._store_workbook()
        finally:
            self.filename, self._target = self._target, None

    def _get_packager(self) -> Packager:
        if self._target is None:
            return super()._get_packager()
        return _HandOffPackager(self._target, self.allow_zip64)


class _Nowhere(io.BytesIO):
    """Where XlsxWriter's own, empty zip goes. Never closed: when a part fails, that zip is left
    unclosed until garbage collection, which may close a buffer before the zip that writes to it."""

    def close(self) -> None:
        pass


class _HandOffPackager(Packager):
    """XlsxWriter's packager, handing each part to the zip thread once it is complete.

    The packager writes one part at a time, each to a temporary file it names with `_filename()`
    just before writing it: so when a new name is asked for, every earlier part is finished.
    """

    def __init__(self, target: Any, allow_zip64: bool) -> None:
        super().__init__()
        self._target = target
        self._allow_zip64 = allow_zip64
        self._handed = 0
        self._zipper: _Zipper | None = None

    def _filename(self, xml_filename: str) -> Any:
        self._hand_off()
        return super()._filename(xml_filename)

    def _hand_off(self) -> None:
        zipper = self._zipper
        if zipper is None:
            return
        zipper.raise_if_failed()
        for part in self.filenames[self._handed :]:
            zipper.add(part[0], part[1])
        self._handed = len(self.filenames)

    def _write_vml_files(self) -> None:
        # XlsxWriter's loop for notes (and buttons), with the faster note writer. Header images
        # also live in VML files, numbered in the same sequence: those books are left to XlsxWriter.
        if any(ws.has_header_vml for ws in self.workbook.worksheets()):
            super()._write_vml_files()
            return
        index = 1
        for ws in self.workbook.worksheets():
            if ws.has_vml:
                vml = _NotesVml()
                vml._set_xml_writer(self._filename(f"xl/drawings/vmlDrawing{index}.vml"))
                vml._assemble_xml_file(ws.vml_data_id, ws.vml_shape_id, ws.comments_list, ws.buttons_list)
                index += 1

    def _write_comment_files(self) -> None:
        index = 1
        for ws in self.workbook.worksheets():
            if ws.has_comments:
                comments = _NotesComments()
                comments._set_xml_writer(self._filename(f"xl/comments{index}.xml"))
                comments._assemble_xml_file(ws.comments_list)
                index += 1

    def _create_package(self) -> list[Any]:
        with ZipFile(self._target, "w", ZIP_DEFLATED, self._allow_zip64, compresslevel=DEFLATE_LEVEL) as zf:
            self._zipper = _Zipper(zf)
            try:
                super()._create_package()
                self._hand_off()
            except BaseException:
                for part in self.filenames[self._handed :]:  # written but never handed over
                    _remove(part[0])
                raise
            finally:
                self._zipper.finish()
            self._zipper.raise_if_failed()
        return []  # all in the target already: nothing for XlsxWriter's own zip step


def _rendered(writer: XMLwriter, write: Callable[[], object]) -> str:
    """What one of XlsxWriter's element writers writes, as a string."""
    fh, writer.fh = writer.fh, io.StringIO()
    try:
        write()
        return writer.fh.getvalue()
    finally:
        writer.fh = fh


class _NotesVml(Vml):
    """XlsxWriter's VML part, each note's shape written in one string."""

    _inside: str | None = None

    def _write_comment_shape(self, shape_id: int, z_index: int, comment: CommentType) -> None:
        if self._inside is None:  # fill, shadow, path and text box: the same in every note
            self._inside = _rendered(self, lambda: (
                self._write_comment_fill(), self._write_shadow(), self._write_comment_path(None, "none"),
                self._write_comment_textbox(),
            ))
        left, top, width, height = self._pixels_to_points(comment.vertices)
        col_start, row_start, x1, y1, col_end, row_end, x2, y2 = comment.vertices[:8]
        visible = comment.is_visible
        self.fh.write(
            f'<v:shape id="_x0000_s{shape_id}" type="#_x0000_t202" style="position:absolute;'
            f"margin-left:{left:.15g}pt;margin-top:{top:.15g}pt;width:{width:.15g}pt;height:{height:.15g}pt;"
            f'z-index:{z_index};visibility:{"visible" if visible else "hidden"}" '
            f'fillcolor="{self._escape_attributes(comment.color._vml_rgb_hex_value())}" o:insetmode="auto">'
            f'{self._inside}<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
            f"<x:Anchor>{col_start}, {x1}, {row_start}, {y1}, {col_end}, {x2}, {row_end}, {y2}</x:Anchor>"
            f"<x:AutoFill>False</x:AutoFill><x:Row>{comment.row}</x:Row><x:Column>{comment.col}</x:Column>"
            f'{"<x:Visible/>" if visible else ""}</x:ClientData></v:shape>'
        )


class _NotesComments(Comments):
    """XlsxWriter's comments part, each note written in one string."""

    def __init__(self) -> None:
        super().__init__()
        self._fonts: dict[tuple[Any, ...], str] = {}

    def _write_comment(self, comment: CommentType, author_id: int) -> None:
        font = (comment.font_size, comment.font_name, comment.font_family)
        run_properties = self._fonts.get(font)
        if run_properties is None:
            run_properties = self._fonts[font] = _rendered(self, lambda: self._write_r_pr(comment))
        author = f' authorId="{author_id}"' if author_id != -1 else ""
        space = ' xml:space="preserve"' if _preserve_whitespace(comment.text) else ""
        self.fh.write(
            f'<comment ref="{xl_rowcol_to_cell(comment.row, comment.col)}"{author}><text><r>{run_properties}'
            f"<t{space}>{escape_text(comment.text)}</t></r></text></comment>"
        )


class _Zipper:
    """A thread deflating finished part files into one zip, in the order they arrive."""

    def __init__(self, zf: ZipFile) -> None:
        self._zf = zf
        self._parts: queue.SimpleQueue[tuple[str, str] | None] = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="xlsx-zip", daemon=True)
        self._thread.start()

    def add(self, path: str, name: str) -> None:
        self._parts.put((path, name))

    def finish(self) -> None:
        self._parts.put(_DONE)
        self._thread.join()

    def raise_if_failed(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while (part := self._parts.get()) is not _DONE:
            path, name = part
            try:
                if self._error is None:
                    self._deflate(path, name)
            except BaseException as exc:  # reported to the packager's thread, which raises it
                self._error = exc
            finally:
                _remove(path)

    def _deflate(self, path: str, name: str) -> None:
        # The part's size decides ZIP64 up front; the entry gets zipfile's default timestamp,
        # 1 January 1980, as in XlsxWriter's in-memory workbooks.
        large = os.path.getsize(path) * 1.05 > ZIP64_LIMIT
        with open(path, "rb") as src, self._zf.open(name, "w", force_zip64=large) as dst:
            shutil.copyfileobj(src, dst, CHUNK_BYTES)


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.remove(path)

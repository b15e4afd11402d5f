"""The notice as PDF, converted from the docx by LibreOffice headless.

The CJK faces the docx names (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312, 宋体) are mapped to the free
Fandol / Noto CJK fonts by the fontconfig file fonts/65-govcheck-cjk.conf, which
scripts/install-system-deps.sh installs. Each conversion uses a private LibreOffice profile so
parallel runs (and a user's open LibreOffice) do not block one another.
"""
from __future__ import annotations

import math
import os
import shutil
import signal
import subprocess
import tempfile
import zipfile
from pathlib import Path

from lxml import etree

DEFAULT_TIMEOUT_S = 180.0
ALIAS_FILE = Path(__file__).resolve().parent / "fonts" / "65-govcheck-cjk.conf"
SYSTEM_FONTCONFIG = Path("/etc/fonts/fonts.conf")
INSTALLED_ALIAS = Path("/etc/fonts/conf.d") / ALIAS_FILE.name


class PdfError(RuntimeError):
    """The PDF could not be produced; the message says why, in the user's language."""


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


def libreoffice_compatible_copy(src: Path, dst: Path) -> Path:
    """A copy of the docx that LibreOffice lays out like Word does.

    GB/T 9704 asks for 28 characters of 3号 (16 pt) type on a 156 mm line, i.e. a 15.79 pt pitch:
    Word gets it from docGrid type=linesAndChars with a negative charSpace, squeezing each glyph
    into its grid cell. LibreOffice 7 instead gives a glyph wider than its cell two cells, which
    halves the line to 14 characters. The copy keeps the line grid but drops the character grid
    and condenses the runs of grid-snapped paragraphs by the same amount, so both programs set
    28 characters per line; it also inverts w:overflowPunct, which LibreOffice reads the other way
    round. The docx handed to users is not touched.
    """
    with zipfile.ZipFile(src) as zin:
        styles = etree.fromstring(zin.read("word/styles.xml")) if "word/styles.xml" in zin.namelist() else None
        base_half_points = 20
        if styles is not None:
            sz = styles.find(f"{_w('docDefaults')}/{_w('rPrDefault')}/{_w('rPr')}/{_w('sz')}")
            if sz is not None and sz.get(_w("val"), "").isdigit():
                base_half_points = int(sz.get(_w("val")))
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
            for item in zin.infolist():
                data = zin.read(item.filename)
                if item.filename == "word/document.xml":
                    data = _condense_grid(data, base_half_points)
                zout.writestr(item, data)
    return dst


def _condense_grid(xml: bytes, base_half_points: int) -> bytes:
    root = etree.fromstring(xml)
    # w:overflowPunct="0" means "no punctuation past the right margin" (Word); LibreOffice 7 reads the
    # value the other way round (ParaIsHangingPunctuation = !value: "0" hangs a line-final 。 one
    # character past the margin, "1" keeps it in). The copy says what LibreOffice needs to hear;
    # tests/test_report_pdf_layout.py measures the margins of the result.
    for el in root.iter(_w("overflowPunct")):
        el.set(_w("val"), "1" if el.get(_w("val")) in ("0", "false", "off") else "0")
    condense_twips = 0
    for grid in root.iter(_w("docGrid")):
        if grid.get(_w("type")) != "linesAndChars":
            continue
        char_space = int(grid.get(_w("charSpace"), "0") or 0)
        grid.set(_w("type"), "lines")
        grid.attrib.pop(_w("charSpace"), None)
        if char_space < 0:
            # charSpace is in 1/4096 pt; w:spacing in 1/20 pt. Round up so the line never overflows.
            condense_twips = max(condense_twips, math.ceil(-char_space * 20 / 4096))
    if condense_twips:
        for p in root.iter(_w("p")):
            ppr = p.find(_w("pPr"))
            snap = ppr.find(_w("snapToGrid")) if ppr is not None else None
            if snap is not None and snap.get(_w("val")) in ("0", "false", "off"):
                continue
            for r in p.iter(_w("r")):
                rpr = r.find(_w("rPr"))
                if rpr is None:
                    rpr = etree.Element(_w("rPr"))
                    r.insert(0, rpr)
                if rpr.find(_w("spacing")) is None:
                    _insert_spacing(rpr, -condense_twips)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# w:rPr children have a schema order; w:spacing comes after these.
_BEFORE_SPACING = {"rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
                   "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish",
                   "webHidden", "color"}


def _insert_spacing(rpr, twips: int) -> None:
    el = etree.Element(_w("spacing"))
    el.set(_w("val"), str(twips))
    idx = 0
    for i, child in enumerate(rpr):
        if etree.QName(child).localname in _BEFORE_SPACING:
            idx = i + 1
    rpr.insert(idx, el)


def find_soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _fontconfig_with_aliases(tmp: Path) -> Path | None:
    """Without root the alias file may not be installed: load it on top of the system config."""
    if INSTALLED_ALIAS.is_file() or not SYSTEM_FONTCONFIG.is_file() or not ALIAS_FILE.is_file():
        return None
    conf = tmp / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f"  <include>{SYSTEM_FONTCONFIG}</include>\n  <include>{ALIAS_FILE}</include>\n"
        f"  <dir>{Path.home() / '.local' / 'share' / 'fonts'}</dir>\n</fontconfig>\n",
        encoding="utf-8",
    )
    return conf


def docx_to_pdf(docx: Path, out_dir: Path | None = None, timeout: float = DEFAULT_TIMEOUT_S) -> Path:
    """Convert `docx` to `<same stem>.pdf` in out_dir (default: beside the docx)."""
    docx = Path(docx)
    out_dir = Path(out_dir) if out_dir else docx.parent
    if not docx.is_file():
        raise PdfError(f"找不到要转换的文件：{docx}")
    soffice = find_soffice()
    if soffice is None:
        raise PdfError("未找到 LibreOffice（soffice），无法生成 PDF；请以 root 运行 scripts/install-system-deps.sh")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / (docx.stem + ".pdf")
    with tempfile.TemporaryDirectory(prefix="govcheck-lo-") as tmp:
        profile = Path(tmp) / "profile"
        work_out = Path(tmp) / "out"
        work_out.mkdir()
        work_in = Path(tmp) / "in"
        work_in.mkdir()
        try:
            source = libreoffice_compatible_copy(docx, work_in / docx.name)
        except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as e:
            raise PdfError(f"不是有效的 docx 文件：{docx}（{e}）") from None
        cmd = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless", "--norestore", "--nolockcheck", "--nodefault", "--nologo",
            "--convert-to", "pdf:writer_pdf_Export",
            "--outdir", str(work_out),
            str(source),
        ]
        env = dict(os.environ, HOME=tmp, SAL_USE_VCLPLUGIN="svp")
        fc = _fontconfig_with_aliases(Path(tmp))
        if fc:
            env["FONTCONFIG_FILE"] = str(fc)
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                start_new_session=True)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise PdfError(f"LibreOffice 转换 PDF 超时（{timeout:.0f} 秒）：{docx.name}") from None
        produced = work_out / (docx.stem + ".pdf")
        if proc.returncode != 0 or not produced.is_file():
            detail = (err or out).decode("utf-8", "replace").strip()[-500:]
            raise PdfError(f"LibreOffice 转换 PDF 失败（退出码 {proc.returncode}）：{docx.name}；{detail}")
        # Move (not write in place) so a failed run never leaves a half-written PDF under the real name.
        shutil.move(str(produced), str(target))
    return target

"""Take the Simplified Chinese face out of a Noto Serif CJK font collection, as a font of its own.

Usage: python3 extract-title-font.py NotoSerifCJK-SemiBold.ttc OUT.otf

The collection's faces share one CFF table named after the Japanese face, so a PDF made from any of
them embeds "NotoSerifCJKjp-…" even when the Chinese glyphs were used. The extracted face gets its own
family name (GovcheckXiaoBiaoSong, the stand-in for 方正小标宋简体 in fonts/65-govcheck-cjk.conf) and
its CFF names say "sc". Noto CJK is under the SIL Open Font License 1.1, which allows this.
"""
import sys

from fontTools.ttLib import TTCollection

FAMILY = "GovcheckXiaoBiaoSong"


def main(src: str, dst: str) -> None:
    coll = TTCollection(src)
    face = next(f for f in coll.fonts if f["name"].getDebugName(1).startswith("Noto Serif CJK SC"))
    ps = face["name"].getDebugName(6)  # NotoSerifCJKsc-SemiBold
    for rec in face["name"].names:
        if rec.nameID in (1, 4, 16):
            rec.string = FAMILY
        elif rec.nameID in (2, 17):
            rec.string = "Regular"
        elif rec.nameID == 6:
            rec.string = ps
    cff = face["CFF "].cff
    old = cff.fontNames[0]
    cff.fontNames = [ps]
    for fd in getattr(cff.topDictIndex[0], "FDArray", []) or []:
        fd.FontName = fd.FontName.replace(old, ps)
    face.save(dst)


if __name__ == "__main__":
    main(*sys.argv[1:3])

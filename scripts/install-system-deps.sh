#!/bin/sh
# Installs what rendering the notice to PDF needs on a Debian/Ubuntu machine (and python3-venv, which
# scripts/venv.sh uses where the system Python refuses pip installs):
# LibreOffice Writer (headless), poppler-utils (pdffonts/pdftotext/pdftoppm, used by the tests),
# Chromium (the web console's browser tests drive it through Playwright; `playwright install` cannot
# download a browser here),
# the Noto CJK fonts, the Fandol fonts (free 仿宋/宋体/楷体/黑体 substitutes, taken out of
# Debian's texlive-lang-chinese package without installing TeX), the title face (the Simplified
# Chinese face of Noto Serif CJK SemiBold, taken out of fonts-noto-cjk-extra's font collection by
# scripts/extract-title-font.py, so a PDF embeds the SC face under its own name) and govcheck's
# fontconfig alias file mapping the GB/T 9704 font names onto them.
# Idempotent; run as root.  Usage: sh scripts/install-system-deps.sh
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ALIAS_SRC="$HERE/../govcheck/report/fonts/65-govcheck-cjk.conf"
FONT_DIR=/usr/local/share/fonts/govcheck-fandol
CONF_DST=/etc/fonts/conf.d/65-govcheck-cjk.conf

if [ "$(id -u)" -ne 0 ]; then
    echo "install-system-deps.sh: must run as root" >&2
    exit 1
fi

need=""
for pkg in libreoffice-writer-nogui fonts-noto-cjk poppler-utils fontconfig python3-fonttools python3-venv chromium; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        need="$need $pkg"
    fi
done
if [ -n "$need" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $need
fi

if [ ! -f "$FONT_DIR/FandolFang-Regular.otf" ]; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    chmod 777 "$tmp"   # apt-get download runs as _apt and must be able to write here
    (cd "$tmp" && apt-get download texlive-lang-chinese) || {
        apt-get update -qq
        (cd "$tmp" && apt-get download texlive-lang-chinese)
    }
    dpkg-deb -x "$tmp"/texlive-lang-chinese_*.deb "$tmp/x"
    mkdir -p "$FONT_DIR"
    for f in FandolFang-Regular FandolSong-Regular FandolSong-Bold FandolKai-Regular \
             FandolHei-Regular FandolHei-Bold; do
        src=$(find "$tmp/x" -name "$f.otf" | head -n 1)
        if [ -z "$src" ]; then
            echo "install-system-deps.sh: $f.otf not found in texlive-lang-chinese" >&2
            exit 1
        fi
        install -m 0644 "$src" "$FONT_DIR/"
    done
fi

TITLE_FONT="$FONT_DIR/GovcheckXiaoBiaoSong.otf"
if [ ! -f "$TITLE_FONT" ]; then
    tmp2=$(mktemp -d)
    chmod 777 "$tmp2"
    (cd "$tmp2" && apt-get download fonts-noto-cjk-extra) || {
        apt-get update -qq
        (cd "$tmp2" && apt-get download fonts-noto-cjk-extra)
    }
    dpkg-deb -x "$tmp2"/fonts-noto-cjk-extra_*.deb "$tmp2/x"
    mkdir -p "$FONT_DIR"
    /usr/bin/python3 "$HERE/extract-title-font.py" \
        "$(find "$tmp2/x" -name NotoSerifCJK-SemiBold.ttc | head -n 1)" "$tmp2/title.otf"
    install -m 0644 "$tmp2/title.otf" "$TITLE_FONT"
    rm -rf "$tmp2"
fi

install -m 0644 "$ALIAS_SRC" "$CONF_DST"
fc-cache -f >/dev/null
echo "govcheck system dependencies installed: $(fc-list | grep -c Fandol) Fandol faces, alias $CONF_DST, 仿宋_GB2312 -> $(fc-match -f "%{family[0]}" 仿宋_GB2312), 方正小标宋简体 -> $(fc-match -f "%{family[0]}" 方正小标宋简体)"

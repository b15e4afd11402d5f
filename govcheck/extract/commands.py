"""`govcheck extract FILE --url URL --json`."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("extract")
    def extract_cmd(
        file: Path = typer.Argument(..., help="保存的网页文件（HTML）"),
        url: str = typer.Option(None, "--url", help="该网页的原始网址（用于补全链接和从网址读取日期）"),
        as_json: bool = typer.Option(False, "--json", help="以 JSON 输出抽取结果"),
        ref_date: str = typer.Option(None, "--ref-date", help="参考日期 YYYY-MM-DD（为只有月-日的日期补年份，默认取页面最新日期）"),
    ) -> None:
        """从单个保存的网页中抽取页面类型、标题、当前位置、发布日期、列表条目、页脚信息等。

        FILE 也可以是 WARC 文件或一轮检查的输出目录：逐条抽取其中存档的网页，每行输出一个 JSON。"""
        from . import extract_page

        if file.is_dir() or file.name.endswith((".warc", ".warc.gz")):
            _extract_warc(file, as_json)
            return

        # a page is read as far as a crawl would have archived it (data/limits.yaml), so memory stays bounded
        # however large the file (a 44 MB list page took 1.2 GB read whole)
        cap = max_page_bytes()
        try:
            with file.open("rb") as fh:
                data = fh.read(cap + 1)
        except OSError as e:
            typer.echo(f"无法读取文件 {file}：{e.strerror or e}", err=True)
            raise typer.Exit(2)
        truncated = len(data) > cap
        if truncated:
            data = data[:cap]
            typer.echo(f"提示：{file} 超过 {cap} 字节，只读取前 {cap} 字节（与抓取存档的上限相同）", err=True)
        ref = None
        if ref_date:
            try:
                ref = dt.date.fromisoformat(ref_date)
            except ValueError:
                typer.echo(f"--ref-date 格式应为 YYYY-MM-DD，收到：{ref_date}", err=True)
                raise typer.Exit(2)
        result = extract_page(data, url, ref_date=ref)
        if truncated:
            result["truncated"] = True
        if as_json:
            typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
            return
        f = result["footer"]
        lines = [
            f"页面类型：{result['kind']}",
            f"标题：{result['title'] or '（未识别）'}",
            f"当前位置：{'>'.join(result['breadcrumb']) or '（无）'}",
            f"发布日期：{result['publish_date'] or '（无）'}",
            f"列表条目：{len(result['items'])} 条" + ("（空白栏目）" if result["blank"] else "")
            + ("（动态加载）" if result.get("dynamic_list") else ""),
            f"网站标识码：{f['site_id_code'] or '（无）'}  ICP备案：{f['icp'] or '（无）'}  公安备案：{f['police_record'] or '（无）'}",
            f"主办单位：{f['sponsor'] or '（无）'}  党政机关标识：{'有' if f['conac'] else '无'}  找错入口：{'有' if f['error_report_entry'] else '无'}",
        ]
        typer.echo("\n".join(lines))


def max_page_bytes() -> int:
    from .codings import limits

    return limits()["max_page_bytes"]


def _extract_warc(path: Path, as_json: bool) -> None:
    from .warc import iter_warc_facts, warc_files

    if not path.exists():
        typer.echo(f"找不到 {path}", err=True)
        raise typer.Exit(2)
    if not warc_files(path):
        typer.echo(f"{path} 下没有 WARC 文件（*.warc / *.warc.gz）", err=True)
        raise typer.Exit(2)
    n = bad = 0
    for rec in iter_warc_facts(path):
        n += 1
        bad += "error" in rec or bool(rec.get("truncated"))
        if as_json:
            typer.echo(json.dumps(rec, ensure_ascii=False))
        else:
            f = rec.get("facts") or {}
            typer.echo(f"{rec['url']}\t{f.get('kind', '错误')}\t{f.get('title') or ''}\t"
                       f"{f.get('publish_date') or f.get('latest_date') or ''}")
    typer.echo(f"共抽取 {n} 个存档网页，其中 {bad} 个读取失败或记录不完整。", err=True)

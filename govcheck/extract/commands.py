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
        """从单个保存的网页中抽取页面类型、标题、当前位置、发布日期、列表条目、页脚信息等。"""
        from . import extract_page

        try:
            data = file.read_bytes()
        except OSError as e:
            typer.echo(f"无法读取文件 {file}：{e.strerror or e}", err=True)
            raise typer.Exit(2)
        ref = None
        if ref_date:
            try:
                ref = dt.date.fromisoformat(ref_date)
            except ValueError:
                typer.echo(f"--ref-date 格式应为 YYYY-MM-DD，收到：{ref_date}", err=True)
                raise typer.Exit(2)
        result = extract_page(data, url, ref_date=ref)
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

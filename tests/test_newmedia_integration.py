"""The replica accounts through the round core: 附件2 and the notice rendered from checked findings equal
those rendered from the demo's transcription of the sample notice."""
import pytest


@pytest.mark.slow
def test_replica_findings_render_the_same_attachment2_and_notice(tmp_path):
    docx = pytest.importorskip("docx")
    openpyxl = pytest.importorskip("openpyxl")
    from govcheck.round import save_round
    from govcheck.demo import load_transcription
    from govcheck.newmedia.pipeline import run_replica
    from govcheck.rules import load_ruleset

    t = load_transcription()
    rs = load_ruleset(t.meta["round"]["rules"])
    res = run_replica()
    sites_only = [f for f in t.findings if f.target_type == "site"]
    runs = {"transcribed": (t.accounts, t.findings), "checked": (list(res.accounts), sites_only + res.findings)}
    out = {}
    for name, (accounts, findings) in runs.items():
        d = tmp_path / name
        save_round(d, meta=t.meta, rs=rs, sites=t.sites, accounts=accounts, findings=findings, db=None, pdf=False)
        (xlsx,) = d.glob("附件2*.xlsx")
        (notice,) = d.glob("通报*.docx")
        rows = [tuple(r) for r in openpyxl.load_workbook(xlsx).worksheets[0].iter_rows(values_only=True)]
        # the first row is the label and, while findings await review, the draft mark (which differs: the
        # transcription's findings come reviewed, the checked ones do not); the table is the rest
        assert rows[0][0] == "附件2"
        rows = rows[1:]
        out[name] = (rows, [p.text for p in docx.Document(notice).paragraphs])
    assert len(out["checked"][0]) > 21
    assert out["checked"][0] == out["transcribed"][0]
    assert out["checked"][1] == out["transcribed"][1]

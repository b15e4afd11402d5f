"""机构职能 (机关职能, 机构设置, 办公地址, 办公时间, 联系方式, 负责人) and 领导信息 (姓名, 职务, 简历, 分工)."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from .dom import Page, clean, labels, spaced

# Section labels -> field, from data/labels.yaml. Values run to the next label. Short labels need a colon.
def _org_label_rx() -> dict[str, str]:
    out = {}
    for field_, spec in labels("org").items():
        longs = sorted((str(w) for w in spec.get("labels") or []), key=len, reverse=True)
        shorts = sorted((str(w) for w in spec.get("short") or []), key=len, reverse=True)
        parts = [spaced(w) for w in longs]
        if shorts:
            parts.append("(?:" + "|".join(spaced(w) for w in shorts) + r")(?=\s*[:：])")
        if not parts:
            raise ValueError(f"data/labels.yaml: org.{field_} has no labels")
        out[str(field_)] = "|".join(parts)
    return out


_LABELS = _org_label_rx()
_ANY = re.compile("(" + "|".join(f"(?P<{k}>{v})" for k, v in _LABELS.items()) + r")\s*[:：]?\s*")
_PHONE = re.compile(r"(?:0\d{2,3}[-－ ]?)?\d{7,8}|1[3-9]\d{9}|12345")
# Positions that follow or precede a leader's name.
_POSITIONS = (r"(?:党组|党委|党工委)?(?:书记|副书记|成员)|(?:常务)?副?(?:省长|市长|县长|区长|州长|旗长|镇长|乡长|主任|局长|厅长|"
              r"部长|署长|处长|委员|主席|院长|校长|队长|站长|所长)|(?:副|一级|二级)?巡视员|(?:副|一级|二级)?调研员|"
              r"纪检(?:监察)?组长|总(?:经济|工程|会计|规划)师|二级高级警长|督察长")
_LEADER = re.compile(r"(?<![\u4e00-\u9fa5])([\u4e00-\u9fa5]\s?[\u4e00-\u9fa5]{1,2})\s*(?:同志)?\s*[，,：:\s]\s*(" + _POSITIONS + r")")
_SURNAMES = set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝")


@dataclass
class OrgInfo:
    functions: str | None = None
    structure: list[str] = field(default_factory=list)
    address: str | None = None
    hours: str | None = None
    phone: str | None = None
    fax: str | None = None
    email: str | None = None
    postcode: str | None = None
    head: str | None = None

    def missing(self) -> list[str]:
        """The 机构职能 items the indicators require that this page does not show."""
        req = {"functions": "机关职能", "structure": "机构设置", "address": "办公地址", "hours": "办公时间",
               "phone": "联系方式", "head": "负责人姓名"}
        return [name for key, name in req.items() if not getattr(self, key)]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["missing"] = self.missing()
        return d


@dataclass
class Leader:
    name: str
    position: str
    resume: str | None = None
    duties: str | None = None


def extract_org_info(page_or_text: Page | str) -> OrgInfo:
    text = page_or_text.text if isinstance(page_or_text, Page) else clean(page_or_text)
    info = OrgInfo()
    ms = list(_ANY.finditer(text))
    for i, m in enumerate(ms):
        key = next(k for k in _LABELS if m.group(k))
        stop = ms[i + 1].start() if i + 1 < len(ms) else len(text)
        val = text[m.end(): stop].strip(" ：:|")
        if not val:
            continue
        if key == "functions":
            if info.functions is None or len(val) > len(info.functions):
                info.functions = val[:5000]
        elif key == "structure":
            parts = [p.strip() for p in re.split(r"[|｜、，,；;\s]+", val[:600]) if p.strip()]
            parts = [p for p in parts if 2 <= len(p) <= 20]
            if len(parts) > len(info.structure):
                info.structure = parts[:80]
        elif key == "phone":
            pm = _PHONE.search(val)
            if pm and info.phone is None:
                info.phone = pm.group(0)
        elif key == "head":
            if info.head is None:
                info.head = val.split(" ")[0][:10]
        elif getattr(info, key) is None:
            setattr(info, key, val.split("  ")[0][:120])
    if info.head is None:
        leaders = extract_leaders(text)
        if leaders:
            info.head = leaders[0].name
    return info


def extract_leaders(page_or_text: Page | str) -> list[Leader]:
    """Names with positions (金永辉 厅长 / 局长：张三), with 简历 and 分工 when the page gives them."""
    text = page_or_text.text if isinstance(page_or_text, Page) else clean(page_or_text)
    out: list[Leader] = []
    seen = set()
    not_names = set(labels("leader_resume")) | set(labels("leader_not_names"))
    for m in _LEADER.finditer(text):
        name = m.group(1).replace(" ", "")
        if name in seen or re.search(_POSITIONS, name) or name in not_names:
            continue  # 简历：局长… is a label, not a leader called 简历
        seen.add(name)
        out.append(Leader(name, m.group(2)))
    # 职务在前: "局长：张三" / "主任 张三"
    for m in re.finditer(r"(" + _POSITIONS + r")\s*[:：\s]\s*([\u4e00-\u9fa5]{2,3})(?![\u4e00-\u9fa5])", text):
        name = m.group(2)
        if name[0] in _SURNAMES and name not in seen and name not in not_names:
            seen.add(name)
            out.append(Leader(name, m.group(1)))
    starts = sorted((text.find(ld.name), ld) for ld in out if text.find(ld.name) >= 0)
    resume_rx = re.compile(r"(?:" + "|".join(spaced(w) for w in sorted(labels("leader_resume"), key=len, reverse=True))
                           + r")\s*[:：]?\s*([^。]{4,600}。?)")
    bio = labels("leader_bio")
    for n, (i, ld) in enumerate(starts):
        # a leader's own block: from his name to the next leader's (never the next one's 分工 or 简历)
        stop = starts[n + 1][0] if n + 1 < len(starts) else i + 1500
        window = text[i: min(stop, i + 1500)]
        dm = re.search(r"(?:工作分工|分\s*工)\s*[:：]?\s*([^。]{4,300}。?)|(负责[^。]{2,300}。?)", window)
        if dm:
            ld.duties = (dm.group(1) or dm.group(2)).strip()
        rm = resume_rx.search(window)
        if rm and (re.search(r"\d{4}\s*年", rm.group(1)) or any(w in rm.group(1) for w in bio["words"])):
            ld.resume = rm.group(1).strip()  # (a menu's 单位简介 link followed by other links is no 简历)
            continue
        for sent in re.split(r"(?<=。)", window):
            if sum(1 for w in bio["words"] if w in sent) >= int(bio["min"]):
                ld.resume = sent.strip()
                break
    return out


@dataclass
class OrgSection:
    """One 内设机构/科室 as the 机构职能 page lists it."""

    name: str
    info: OrgInfo

    def to_dict(self) -> dict:
        return {"name": self.name, **self.info.to_dict()}


_SECTION_TAGS = ("h2", "h3", "h4", "h5", "dt", "strong")


def extract_org_sections(page: Page) -> list[OrgSection]:
    """Per-科室 blocks: a short heading followed by its own 职责/负责人/办公时间/电话 lines.

    The section-level facts let a check say which 科室 lacks 负责人 or 办公时间."""
    out: list[OrgSection] = []
    body = page.tree.body
    if body is None:
        return out
    for tag in _SECTION_TAGS:
        heads = body.css(tag)
        if len(heads) < 2:
            continue
        found = []
        for h in heads:
            name = clean(h.text())
            if not name or len(name) > 20 or _ANY.match(name):
                continue
            texts = []
            sib = h.next
            while sib is not None and sib.tag != tag:
                if sib.tag != "-text" or (sib.text_content or "").strip():
                    texts.append(sib.text(separator=" ") if sib.tag != "-text" else sib.text_content)
                sib = sib.next
            text = clean(" ".join(texts))
            if not text or not _ANY.search(text):
                continue
            found.append(OrgSection(name, extract_org_info(text)))
        if len(found) >= 2:
            return found
    return out

"""Chinese words of official documents: correction items, remedies, days and people.

The engine records what is wrong with the materials as codes with English messages for
staff logs; a notice to the applicant says it in Chinese.  This module turns each code
into a sentence naming the material and the rule the matter declares, so the notice and
the rule cannot differ.  Dates are written as the engine computed them: formatted,
never moved.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Final

from ..catalogue import Catalogue
from ..engine import SYSTEM
from ..engine.records import Problem
from ..model import Material
from ..publication.labels import check_period_text, electronic_rules

__all__ = [
    "LITIGATION_MONTHS",
    "RECONSIDERATION_DAYS",
    "REMEDIES",
    "REVOCATION_BASIS",
    "check_period_text",
    "day_text",
    "item_text",
    "person_text",
]

#: 行政复议法第二十条: an application for administrative reconsideration within 60 days
#: of learning of the decision.
RECONSIDERATION_DAYS: Final = 60
#: 行政诉讼法第四十六条: an action within 6 months of learning of the decision.
LITIGATION_MONTHS: Final = 6

#: The applicant's remedies against a refusal, as every negative document states them.
REMEDIES: Final = (
    f"如对本决定不服，可以自收到本决定书之日起{RECONSIDERATION_DAYS}日内依法申请行政复议，"
    f"或者自收到本决定书之日起{LITIGATION_MONTHS}个月内依法向人民法院提起行政诉讼。"
)

#: Why a false commitment revokes the approval: 行政许可法第六十九条第二款 (a licence
#: obtained by deceit is revoked), as the 告知承诺制 rules apply it.
REVOCATION_BASIS: Final = (
    "《中华人民共和国行政许可法》第六十九条第二款（被许可人以欺骗、贿赂等不正当手段"
    "取得行政许可的，应当予以撤销）"
)

_ITEMS: Final[Mapping[str, str]] = {
    "missing": "未提交{name}",
    "tolerated-missing": "未提交{name}（容缺材料，可以在受理后按承诺日期补交）",
    "no-electronic-copy": "{name}须提交电子件",
    "no-paper-copy": "{name}须同时提交纸质材料",
    "empty-file": "{name}的电子文件为空",
    "too-many-pages": "{name}的电子件页数超出规定",
    "wrong-file-type": "{name}的电子文件格式不符合要求",
    "file-too-large": "{name}的电子文件大小超出规定",
    "too-few-pixels": "{name}的电子文件像素不足",
    "too-many-pixels": "{name}的电子文件像素超出规定",
    "page-order": "{name}的电子件未按纸质材料顺序编排页码",
}

#: For a file problem, the words of the matter's rule it broke (a phrase of
#: :func:`~approval_rules.publication.labels.electronic_rules` containing them).
_RULE_WORDS: Final[Mapping[str, str]] = {
    "wrong-file-type": "文件格式",
    "file-too-large": "KB",
    "too-few-pixels": "像素",
    "too-many-pixels": "像素",
    "too-many-pages": "页",
    "page-order": "顺序",
}


def _about(rule: str, words: str) -> bool:
    # "页" ends the page-count phrase only; the page-order phrase has 页码 inside.
    return rule.endswith(words) if words == "页" else words in rule


def item_text(problem: Problem, materials: Mapping[str, Material]) -> str:
    """One item of a correction notice in Chinese, with the matter's rule for files.

    An item the officer added (``material`` is ``None``) is their own words.
    """
    if problem.material is None:
        return problem.message
    material = materials.get(problem.material)
    name = f"《{material.name}》" if material is not None else problem.material
    text = _ITEMS.get(problem.code, "{name}不符合要求（" + problem.code + "）").format(name=name)
    words = _RULE_WORDS.get(problem.code)
    if words is not None and material is not None:
        rules = [r for r in electronic_rules(material.electronic) if _about(r, words)]
        if rules:
            text += "（要求：" + "；".join(rules) + "）"
    return text


def day_text(day: date | None) -> str:
    """``2025年10月9日``; an absent day as ``—``."""
    if day is None:
        return "—"
    return f"{day.year}年{day.month}月{day.day}日"


def person_text(person_id: str | None, catalogue: Catalogue) -> str:
    """A signer as the applicant reads them: name and title, or the law for ``system``."""
    if person_id is None:
        return "—"
    if person_id == SYSTEM:
        return "依法自动生效"
    person = catalogue.people.get(person_id)
    if person is None:
        return person_id
    return f"{person.name}（{person.title}）" if person.title else person.name

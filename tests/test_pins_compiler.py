"""Pinned examples for compiler.py: where the steps are declared must not matter (#11).

The file-driven compiler cases all declare the acceptance step first, so a check
that only works in that order survived.  Here another start step comes first.
"""

from __future__ import annotations

from approval_rules.compiler import check_catalogue
from approval_rules.loader import load_catalogue_text

DEFS = """
kind: definitions
departments:
  - {id: zjj, name: 市住房和城乡建设局}
  - {id: xfj, name: 市消防救援支队}
roles:
  - {id: window, name: 窗口受理人员}
people:
  - {id: wang, name: 王月琴, department: zjj, roles: [window], backup: chen}
  - {id: chen, name: 陈倩, department: zjj, roles: [window], backup: wang}
  - {id: fu, name: 付红, department: zjj, backup: ai}
  - {id: ai, name: 艾伟, department: zjj, backup: fu}
  - {id: shen, name: 沈卫东, department: zjj, backup: fu}
  - {id: li, name: 李强, department: xfj, backup: zhao}
  - {id: zhao, name: 赵磊, department: xfj, backup: li}
"""

MATTER = """
kind: matter
id: m
name: 测试事项
catalogue_code: "001"
implementation_code: "001-1"
matter_type: administrative_license
lead_department: zjj
co_departments: [xfj]
legal_basis: [{law: 中华人民共和国行政许可法}]
case_type: promised
result: {name: 许可证}
time_limits:
  statutory: {value: 20}
  promised: {value: 10}
steps:
  - {id: fire, name: 消防协审, kind: co_review, department: xfj, signers: [li]}
  - {id: accept, name: 窗口受理, kind: accept, signer_roles: [window]}
  - {id: review, name: 科室审查, kind: review, signers: [fu, ai], after: [accept]}
  - {id: decide, name: 局长审批, kind: decide, decides: true, signers: [shen],
     after: [review, fire]}
  - {id: close, name: 办结, kind: close, signer_roles: [window], after: [decide]}
"""


def test_decision_bypassing_acceptance_is_found_when_another_start_comes_first() -> None:
    """'fire' has no after: and is declared before 'accept': the decision can be reached
    from it without acceptance (行政许可法 Art. 32: nothing is decided before it is
    accepted), whatever the order of declaration.
    """
    issues = check_catalogue(load_catalogue_text({"d.yaml": DEFS, "m.yaml": MATTER}))
    found = [(i.code, i.path) for i in issues if i.is_error]
    assert found == [
        ("multiple-starts", ("steps", 0, "id")),
        ("decision-bypasses-acceptance", ("steps", 3, "decides")),
        ("join-without-split", ("steps", 3, "after")),
    ]
    bypass = next(i for i in issues if i.code == "decision-bypasses-acceptance")
    assert "fire -> decide" in bypass.message

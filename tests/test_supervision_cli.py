"""`approval-rules supervise` and `approval-rules report` on a folder of case files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from supervision_cases import ROOT, construction, planning, t

from approval_rules.cli import main
from approval_rules.engine import Engine
from approval_rules.loader import load_catalogue
from approval_rules.workdays import WorkCalendar

MATTERS = str(ROOT / "matters")


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with five case files: two construction permits closed (one early, one
    overdue), one planning permit left open since 9/26, one withdrawn, one refused."""
    engine = Engine(load_catalogue(ROOT / "matters"), WorkCalendar.china())
    reviewed = {"section_review": "2025-09-26 10:00", "deputy_review": "2025-09-28 10:00",
                "head_approval": "2025-09-29 10:00", "pay": "2025-09-29 11:00"}  # fmt: skip
    made = [
        construction(engine, {**reviewed, "certificate": "2025-09-30 10:00",
                              "deliver": "2025-09-30 11:00", "close": "2025-09-30 12:00"}, "SG-1"),
        construction(engine, {**reviewed, "certificate": "2025-10-14 10:00",
                              "deliver": "2025-10-14 11:00", "close": "2025-10-14 12:00"}, "SG-2"),
        planning(engine, "2025-09-26 10:00", "GH-1"),
        engine.act(construction(engine, {"section_review": "2025-09-26 10:00"}, "SG-3"),
                   "withdraw", at=t("2025-09-29 10:00"), actor="dangyang_jiangong",
                   reason="撤回"),
    ]  # fmt: skip
    folder = tmp_path_factory.mktemp("cases")
    for case in made:
        (folder / f"{case.id}.json").write_text(case.to_json(), encoding="utf-8")
    return folder


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_supervise_text(cases: Path) -> None:
    """Chinese for supervisors, codes in brackets; the rules come from the catalogue."""
    code, out, _ = run("supervise", str(cases), "--at", "2025-10-18T09:00", "--catalogue", MATTERS)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("电子监察 2025-10-18 09:00（政务服务电子监察默认规则 2027-1）：红牌")
    # GH-1: promised due 10/14, grace 10/15 10/16 10/17 → red at 00:00 on 10/18
    assert any(
        line.startswith("[红牌] GH-1 建设工程规划许可证核发  办件  超过承诺时限（case_red）  "
                        "到期 2025-10-14，已超期 3 个工作日  督办（第 1 次）")
        for line in lines
    ), out  # fmt: skip


def test_supervise_json(cases: Path) -> None:
    code, out, _ = run(
        "supervise", str(cases), "--at", "2025-10-18T09:00", "--catalogue", MATTERS,
        "--format", "json",
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert data["rules"] == {"id": "default", "version": "2027-1"}
    for alert in data["alerts"]:
        assert {"case_id", "step", "level", "due"} <= set(alert)
    red = [a for a in data["alerts"] if a["rule"] == "case_red"]
    assert [(a["case_id"], a["step"], a["level"], a["due"]) for a in red] == [
        ("GH-1", None, "red", "2025-10-14")
    ]


def test_report_json_carries_the_counts_of_every_group(cases: Path) -> None:
    code, out, _ = run(
        "report", str(cases), "--from", "2025-09-01", "--to", "2025-10-31", "--by",
        "department", "--catalogue", MATTERS, "--format", "json",
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    keys = {"completed", "early", "on_time", "extended", "overdue", "open_overdue"}
    for group in data["groups"]:
        assert keys <= set(group)
    groups = {g["group"]: g for g in data["groups"]}
    # SG-1 early (E = 3 ≤ 4), SG-2 overdue (E = 8 > 5); SG-3 withdrawn apart
    assert {k: groups["dy_zjj"][k] for k in sorted(keys)} == {
        "completed": 2, "early": 1, "extended": 0, "on_time": 1, "open_overdue": 0, "overdue": 1,
    }  # fmt: skip
    assert groups["dy_zjj"]["withdrawn"] == 1
    # GH-1: open at 10/31 and past its due date 10/14
    assert groups["dy_zrzy"]["open_overdue"] == 1
    assert data["overall"]["rates"]["on_time"] == {"numerator": 1, "denominator": 2, "rate": 0.5}


def test_report_text(cases: Path) -> None:
    code, out, _ = run(
        "report", str(cases), "--from", "2025-09-01", "--to", "2025-10-31", "--catalogue",
        MATTERS,
    )  # fmt: skip
    assert code == 0
    assert "当阳市住房和城乡建设局（dy_zjj）" in out
    assert "按时 1 50.0%（1/2）" in out
    assert "撤回 1" in out


def test_report_html_is_one_self_contained_page(cases: Path, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    code, _, err = run(
        "report", str(cases), "--from", "2025-09-01", "--to", "2025-10-31", "--catalogue",
        MATTERS, "--format", "html", "-o", str(page),
    )  # fmt: skip
    assert code == 0
    assert f"wrote {page}" in err
    html = page.read_text(encoding="utf-8")
    assert html.count("<svg") == 2
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "<script" not in html


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["supervise", "nowhere/", "--at", "2025-10-18"], 1, "no such folder of case files"),
        (["supervise", "{cases}", "--at", "18 Oct"], 2, "is not a date or a moment"),
        (["report", "{cases}", "--from", "2025-10-31", "--to", "2025-10-01"], 2, "is before"),
        (
            ["report", "sqlite:///x.db", "--from", "2025-10-01", "--to", "2025-10-31"],
            1,
            "needs the case store",
        ),
    ],
)
def test_mistakes(cases: Path, args: list[str], code: int, message: str) -> None:
    """Bad input: exit 1 with a message; bad usage: exit 2; never a traceback."""
    filled = [a.replace("{cases}", str(cases)) for a in args]
    got, out, err = run(*filled, "--catalogue", MATTERS)
    assert got == code
    assert message in out + err
    assert "Traceback" not in out + err


def test_a_broken_case_file_is_named(cases: Path, tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    code, _, err = run("supervise", str(tmp_path), "--at", "2025-10-18", "--catalogue", MATTERS)
    assert code == 1
    assert "bad.json" in err


def test_rules_must_be_found(cases: Path, tmp_path: Path) -> None:
    """A catalogue without supervision rules asks for --rules."""
    for file in (ROOT / "matters").glob("*.yaml"):
        if file.name != "supervision.yaml":
            (tmp_path / file.name).write_text(file.read_text(encoding="utf-8"), encoding="utf-8")
    code, _, err = run("supervise", str(cases), "--at", "2025-10-18", "--catalogue", str(tmp_path))
    assert code == 2
    assert "give the supervision rules with --rules" in err
    code, out, _ = run(
        "supervise", str(cases), "--at", "2025-10-18", "--catalogue", str(tmp_path),
        "--rules", str(ROOT / "matters" / "supervision.yaml"),
    )  # fmt: skip
    assert code == 0
    assert out.startswith("电子监察 2025-10-18 23:59")


def test_supervise_record_sweeps_a_store_once(tmp_path: Path) -> None:
    """``--record`` on a store: GH-1's alerts new on 10/14 are recorded and printed; a
    second run at the same moment records nothing."""
    from approval_rules.store import open_store
    from approval_rules.supervision import Supervisor, alarm_rows, load_supervision

    catalogue = load_catalogue(ROOT / "matters")
    engine = Engine(catalogue, WorkCalendar.china())
    rules = load_supervision(ROOT / "matters" / "supervision.yaml", catalogue=catalogue)
    watch = Supervisor(rules, catalogue, engine.calendar)
    url = f"sqlite:///{tmp_path}/cases.db"
    with open_store(url, engine=engine, alarms=alarm_rows(watch)) as store:
        store.save(planning(engine, "2025-09-26 10:00", "GH-1"), expected_version=0)
    intents = tmp_path / "intents.jsonl"
    args = ("supervise", url, "--at", "2025-10-14T09:00", "--record", "--catalogue", MATTERS,
            "--format", "json", "--intents", str(intents))  # fmt: skip
    code, out, err = run(*args)
    assert code == 0, err
    keys = {a["key"] for a in json.loads(out)["alerts"]}
    assert "GH-1|case_yellow||2025-10-14|0" in keys
    sent = [json.loads(line) for line in intents.read_text(encoding="utf-8").splitlines()]
    assert {i["alert"] for i in sent} == keys
    assert all(i["template"].startswith("supervision/") for i in sent)
    assert "已巡检 1 件办件" in err
    code, out, err = run(*args)
    assert code == 0
    assert json.loads(out)["alerts"] == []
    assert "已巡检 0 件办件，记录新预警 0 条" in err
    with open_store(url) as store:
        recorded = [e for e in store.load("GH-1").events if e.action == "record_alert"]
    assert {e.details["key"] for e in recorded} == keys
    # without --record a store is read: the alerts in force, recording nothing
    code, out, _ = run("supervise", url, "--at", "2025-10-14T09:00", "--catalogue", MATTERS,
                       "--format", "json")  # fmt: skip
    assert code == 0
    assert {a["key"] for a in json.loads(out)["alerts"]} >= {"GH-1|case_yellow||2025-10-14|0"}


def test_supervise_record_needs_a_store(cases: Path) -> None:
    code, _, err = run("supervise", str(cases), "--at", "2025-10-14", "--record",
                       "--catalogue", MATTERS)  # fmt: skip
    assert code == 2
    assert "store URL" in err

"""The service guide (办事指南) of a matter, built from the declarations the engine runs.

:func:`build_guide` reads the matter, its compiled :class:`~approval_rules.graph.Process`
and the catalogue, and returns a :class:`Guide`: plain, immutable values ready for a
template.  Nothing here is typed by hand for the page: limits, green channel, the
extension, clock stops, fees, signers' posts and conditions are read or computed with
the same functions the engine uses, so the published promise is the enforced rule.

Every value that a block of the catalogue marks as an example (``example:``) arrives as
a :class:`Value` with ``example=True``, and its label is listed in :attr:`Guide.examples`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ..model import (
    ChoiceField,
    Commitment,
    Department,
    FeeItem,
    Material,
    Matter,
    Necessity,
    OnDisagree,
    OnTimeout,
    Person,
    TimeLimit,
    Unit,
)
from ..model_choices import ExtensionScope
from ..timelimits import (
    DEFAULT_OFFICE_HOURS,
    extension_days,
    green_channel_days,
    green_step_limit,
)
from . import labels

if TYPE_CHECKING:
    from ..graph import Process
    from ..loader import Catalogue

__all__ = [
    "Guide",
    "GuideBasis",
    "GuideCommitment",
    "GuideCounting",
    "GuideFee",
    "GuideLimits",
    "GuideMaterial",
    "GuideResult",
    "GuideSection",
    "GuideService",
    "GuideStep",
    "Value",
    "build_guide",
]


class _Block(Protocol):
    """A block of the catalogue whose values may be marked as examples."""

    def is_example(self, key: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class Value:
    """A published value, and whether the catalogue marks it as an example (示例，未核实)."""

    text: str
    example: bool = False

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class GuideBasis:
    """One legal basis (设定依据): the law, its article and wording."""

    law: str
    article: str | None
    text: str | None


@dataclass(frozen=True, slots=True)
class GuideMaterial:
    """One line of the material list (申请材料)."""

    number: int
    id: str
    name: str
    kind: str
    necessity: str
    tolerated: bool
    when: str | None
    form: str
    originals: int
    copies: int
    source: str
    shared_from: str | None
    electronic: tuple[str, ...]
    note: str | None


@dataclass(frozen=True, slots=True)
class GuideCounting:
    """How a limit's days are counted (计算方式), why, and whether the reading is verified
    (``unverified``: shown with a 未核实 badge)."""

    basis: str
    reading: str | None = None
    unverified: bool = False


@dataclass(frozen=True, slots=True)
class GuideSection:
    """One section of a step that one post signs (分部分签署), e.g. 施工（建筑管理科）."""

    name: str
    post: Value


@dataclass(frozen=True, slots=True)
class GuideCommitment:
    """告知承诺制: the materials a written commitment replaces, the later check, the text."""

    replaces: tuple[str, ...]
    check_within: Value
    text: Value | None
    legal_basis: str | None


@dataclass(frozen=True, slots=True)
class GuideStep:
    """One step of the flow (办理流程), with the posts of those who sign it."""

    number: int
    id: str
    name: str
    kind: str
    department: Value
    posts: tuple[Value, ...]
    limit: Value | None
    when: str | None
    decides: bool
    can_refuse: bool
    deemed_agreement: bool
    send_back_to: tuple[str, ...]
    note: str | None
    #: How many different signers must sign (a quorum; 1: any one of them).
    signers_needed: int = 1
    #: Sections each signed by their own post; the step passes when all are signed.
    sections: tuple[GuideSection, ...] = ()
    #: A co-department's disagreement ends the review: 一票否决.
    veto: bool = False
    #: The step's own limit in a green-channel case, where the green channel shortens it.
    green_limit: Value | None = None
    #: How the step's own limit is counted, where it declares it.
    counting: GuideCounting | None = None


@dataclass(frozen=True, slots=True)
class GuideLimits:
    """Time limits (办理时限) and the rules that move them."""

    statutory: Value
    statutory_explanation: Value | None
    promised: Value
    promised_explanation: Value | None
    green_channel: str | None
    extension: str | None
    joint_handling: bool
    clock_stops: tuple[str, ...]
    critical_path: str
    correction_notice: str
    certificate: str
    tolerated: str | None
    counting_rule: str
    statutory_counting: GuideCounting | None = None
    promised_counting: GuideCounting | None = None
    #: Art. 45: the longest each kind of clock stop may need (所需时间), in words.
    stop_limits: tuple[str, ...] = ()
    applicant_delays: str = labels.APPLICANT_DELAY_RULE
    #: Art. 42 ¶2's bound (45 + 15 working days) of a joint handling.
    joint_handling_rule: str | None = None


@dataclass(frozen=True, slots=True)
class GuideFee:
    """One fee (收费项目): its standard, basis, exemptions and when it is charged."""

    name: Value
    standard: Value
    bounds: Value | None
    basis: Value
    basis_text: str | None
    waivable: bool
    when: str | None


@dataclass(frozen=True, slots=True)
class GuideResult:
    """A result (办理结果): the main one, or a further one of a joint handling with the
    department that issues it (``department``; ``None`` for the main result)."""

    name: Value
    electronic: bool
    validity: Value
    department: Value | None = None


@dataclass(frozen=True, slots=True)
class GuideService:
    """Where to go and whom to ask (办理地点、时间、咨询、投诉)."""

    hall: Value
    address: Value | None
    office_hours: Value
    window: Value | None
    online_url: Value | None
    consultation_phone: Value | None
    complaint_phone: Value | None
    visits: str | None
    channels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Guide:
    """Everything a published service guide says about one matter."""

    matter: Matter
    content_hash: str
    name: Value
    catalogue_code: Value
    implementation_code: Value
    matter_type: str
    case_type: str
    lead_department: Value
    co_departments: tuple[Value, ...]
    legal_basis: tuple[GuideBasis, ...]
    legal_basis_example: bool
    note: str | None
    conditions: tuple[Value, ...]
    materials: tuple[GuideMaterial, ...]
    steps: tuple[GuideStep, ...]
    limits: GuideLimits
    fees: tuple[GuideFee, ...]
    result: GuideResult
    service: GuideService
    examples: tuple[str, ...]
    #: The further results of a joint handling, each with the department issuing it.
    further_results: tuple[GuideResult, ...] = ()
    #: 告知承诺制, where the matter offers it.
    commitment: GuideCommitment | None = None
    #: The matter declares that it charges nothing (``no_fee``; 不收费).
    no_fee: Value | None = None

    @property
    def id(self) -> str:
        """The matter's id (also the page's file name without ``.html``)."""
        return self.matter.id

    @property
    def steps_have_examples(self) -> bool:
        """Does any step show a post or a limit that is an example (starred in the chart)?"""
        return any(
            p.example for s in self.steps for p in (*s.posts, *((s.limit,) if s.limit else ()))
        )


class _Builder:
    """Collects the labels of example values while a guide is built."""

    def __init__(self, matter: Matter, process: Process, catalogue: Catalogue) -> None:
        self.matter = matter
        self.process = process
        self.catalogue = catalogue
        self.examples: dict[str, None] = {}
        self.fields: Mapping[str, ChoiceField] = {f.id: f for f in matter.applicant_fields}

    def value(self, label: str, text: str, block: _Block | None, key: str) -> Value:
        example = block is not None and block.is_example(key)
        if example:
            self.examples[label] = None
        return Value(text, example)

    def condition(self, text: str | None) -> str | None:
        if text is None:
            return None
        return labels.condition_text(self.process.condition(text), self.fields)

    def department(self, department_id: str) -> Department | None:
        return self.catalogue.departments.get(department_id)

    def department_value(self, label: str, department_id: str) -> Value:
        department = self.department(department_id)
        name = department.name if department is not None else department_id
        return self.value(label, name, department, "name")


def _materials(b: _Builder) -> tuple[GuideMaterial, ...]:
    out = []
    for n, m in enumerate(b.matter.materials, start=1):
        shared = None
        if m.satisfied_by is not None:
            prerequisite = b.catalogue.matters.get(m.satisfied_by)
            shared = prerequisite.name if prerequisite is not None else m.satisfied_by
        out.append(_material(b, n, m, shared))
    return tuple(out)


def _material(b: _Builder, number: int, m: Material, shared: str | None) -> GuideMaterial:
    return GuideMaterial(
        number=number,
        id=m.id,
        name=m.name,
        kind=labels.MATERIAL_KINDS[m.kind],
        necessity=labels.NECESSITIES[m.necessity],
        tolerated=m.necessity is Necessity.TOLERATED,
        when=b.condition(m.when),
        form=labels.MATERIAL_FORMS[m.form],
        originals=m.originals,
        copies=m.copies,
        source=labels.SOURCES[m.source],
        shared_from=shared,
        electronic=labels.electronic_rules(m.electronic),
        note=labels.prose(m.note),
    )


def _post(b: _Builder, pid: str) -> Value | None:
    """The post (职务) of one signer, never their name."""
    person: Person | None = b.process.people.get(pid) or b.catalogue.people.get(pid)
    if person is None:
        return None
    if person.title:
        return b.value("岗位职务", person.title, person, "title")
    roles = [b.catalogue.roles[r].name for r in person.roles if r in b.catalogue.roles]
    return Value("、".join(roles) or "经办人员")


def _posts(b: _Builder, step_id: str) -> tuple[Value, ...]:
    """The posts (职务) of a step's signers, never their names; repeats once."""
    posts: dict[str, Value] = {}
    for pid in b.process.signers(step_id):
        value = _post(b, pid)
        if value is not None and (value.text not in posts or value.example):
            posts[value.text] = value
    return tuple(posts.values())


def _sections(b: _Builder, step_id: str) -> tuple[GuideSection, ...]:
    out = []
    for section in b.process.step(step_id).sections:
        post = _post(b, section.signer) or Value("经办人员")
        if section.is_example("signer"):
            b.examples["分部分签署岗位"] = None
            post = Value(post.text, True)
        out.append(GuideSection(section.name, post))
    return tuple(out)


def _counting(limit: TimeLimit) -> GuideCounting:
    counting = limit.counting
    return GuideCounting(
        basis=labels.counting_basis_text(limit),
        reading=labels.prose(counting.reading) if counting is not None else None,
        unverified=counting is not None and counting.unverified,
    )


def _green_limit(b: _Builder, limit: TimeLimit | None) -> Value | None:
    """A step's limit in a green-channel case (``green_channel.steps``), by the rule the
    engine applies (:func:`~approval_rules.timelimits.green_step_limit`)."""
    green = b.matter.time_limits.green_channel
    if limit is None or green is None or not green.steps:
        return None
    value, unit = limit.hours_or_days
    if unit not in (Unit.WORKING_DAYS, Unit.HALF_DAYS):
        return None
    short, short_unit = green_step_limit(value, unit.value, green.reduction)
    text = labels.limit_text(TimeLimit(value=float(short), unit=Unit(short_unit)))
    return b.value("环节时限", text, limit, "value")


def _limit(b: _Builder, label: str, limit: TimeLimit | None) -> Value | None:
    if limit is None:
        return None
    return b.value(label, labels.limit_text(limit), limit, "value")


def _steps(b: _Builder) -> tuple[GuideStep, ...]:
    process = b.process
    out = []
    for n, sid in enumerate(process.order, start=1):
        step = process.step(sid)
        department = process.department(sid)
        out.append(
            GuideStep(
                number=n,
                id=sid,
                name=step.name,
                kind=labels.STEP_KINDS[step.kind],
                department=b.department_value("部门名称", department),
                posts=_posts(b, sid),
                limit=_limit(b, "环节时限", step.time_limit),
                when=b.condition(step.when),
                decides=step.decides,
                can_refuse=step.can_refuse,
                deemed_agreement=step.on_timeout is OnTimeout.DEEM_AGREED,
                send_back_to=tuple(process.step(t).name for t in process.send_back_targets(sid)),
                note=labels.prose(step.note),
                signers_needed=step.signers_needed,
                sections=_sections(b, sid),
                veto=step.on_disagree is OnDisagree.VETO,
                green_limit=_green_limit(b, step.time_limit),
                counting=_counting(step.time_limit)
                if step.time_limit is not None and step.time_limit.counting is not None
                else None,
            )
        )
    return tuple(out)


def _green_channel(b: _Builder) -> str | None:
    limits = b.matter.time_limits
    green = limits.green_channel
    if green is None:
        return None
    who = b.condition(green.when)
    qualifies = f"符合条件（{who}）的" if who else "列入绿色通道的"
    value, unit = limits.promised.hours_or_days
    if unit is not Unit.WORKING_DAYS:
        # The engine shortens only limits in working days; say so rather than promise more.
        return f"{qualifies}，优先办理（承诺时限不以工作日计，不再缩短）。"
    days = green_channel_days(value, green.reduction)
    percent = labels.percent_text(green.reduction)
    text = f"{qualifies}，承诺时限缩短为{labels.days_text(days)}（提速{percent}）。"
    if green.steps:
        text += (
            f"各环节时限同样缩短{percent}（按半个工作日向下取整，至少半个工作日），"
            "见办理流程表“绿色通道”一栏。"
        )
    return text


def _extension(b: _Builder) -> str | None:
    limits = b.matter.time_limits
    if limits.extension is None:
        return None
    days = extension_days(joint=limits.joint_handling, declared=limits.extension.value)
    role = b.catalogue.roles.get(limits.extension.approved_by)
    who = role.name if role is not None else limits.extension.approved_by
    if limits.extension.scope is ExtensionScope.STATUTORY:
        scope = "延长的是法定办结时限，承诺办结时限不随之延长。"
    else:
        scope = "法定办结时限和承诺办结时限同时顺延。"
    return (
        f"在法定期限内不能办结的，经{who}批准，可以延长{labels.days_text(days)}，"
        f"延期以一次为限，并将延长期限的理由书面告知申请人；{scope}"
    )


def _limits(b: _Builder) -> GuideLimits:
    limits = b.matter.time_limits
    statutory, promised = limits.statutory, limits.promised
    tolerated = any(m.necessity is Necessity.TOLERATED for m in b.matter.materials)
    return GuideLimits(
        statutory=b.value("法定办结时限", labels.limit_text(statutory), statutory, "value"),
        statutory_explanation=_explanation(b, "法定办结时限说明", statutory),
        promised=b.value("承诺办结时限", labels.limit_text(promised), promised, "value"),
        promised_explanation=_explanation(b, "承诺办结时限说明", promised),
        green_channel=_green_channel(b),
        extension=_extension(b),
        joint_handling=limits.joint_handling,
        clock_stops=labels.stop_names(limits.excluded_activities),
        critical_path=labels.days_text(b.process.critical_length),
        correction_notice=labels.correction_notice_rule(),
        certificate=labels.certificate_rule(b.matter.result.issue_within),
        tolerated=labels.TOLERATED_RULE if tolerated else None,
        counting_rule=labels.COUNTING_RULE,
        statutory_counting=_counting(statutory),
        promised_counting=_counting(promised),
        stop_limits=tuple(
            f"{labels.stop_name(s.kind)}：最长{labels.days_text(s.max_days)}"
            + (f"（{labels.prose(s.legal_basis)}）" if s.legal_basis else "")
            for s in limits.stop_limits
        ),
        joint_handling_rule=labels.joint_handling_rule() if limits.joint_handling else None,
    )


def _commitment(b: _Builder, commitment: Commitment | None) -> GuideCommitment | None:
    if commitment is None:
        return None
    names = {m.id: m.name for m in b.matter.materials}
    text = commitment.text
    return GuideCommitment(
        replaces=tuple(names.get(m, m) for m in commitment.replaces),
        check_within=b.value(
            "事后核查期限",
            labels.check_period_text(commitment.check_within),
            commitment,
            "check_within",
        ),
        text=b.value("承诺内容", labels.prose(text), commitment, "text") if text else None,
        legal_basis=labels.prose(commitment.legal_basis),
    )


def _explanation(b: _Builder, label: str, limit: TimeLimit) -> Value | None:
    if limit.explanation is None:
        return None
    return b.value(label, labels.prose(limit.explanation), limit, "explanation")


def _fee(b: _Builder, item: FeeItem, when: str | None) -> GuideFee:
    if item.amount is not None:
        standard = labels.money_text(item.amount)
        key = "amount"
    else:
        assert item.rate is not None  # the model requires amount or rate
        assert item.per_field is not None  # ... and a rate its per_field
        field = b.fields.get(item.per_field)
        unit = item.unit or (field.unit if field is not None else None) or item.per_field
        standard = f"{labels.money_text(item.rate)}/{unit}"
        if item.times:  # rate × area × days: name every factor the rate multiplies
            names = [b.fields[f].name if f in b.fields else f for f in item.fields]
            standard += f"（按{'×'.join(names)}计）"
        key = "rate"
    bounds = []
    if item.minimum is not None:
        bounds.append(f"最低{labels.money_text(item.minimum)}")
    if item.maximum is not None:
        bounds.append(f"最高{labels.money_text(item.maximum)}")
    bound_key = "minimum" if item.minimum is not None else "maximum"
    basis = item.legal_basis
    law = basis.law + (basis.article or "")
    return GuideFee(
        name=b.value("收费项目", item.name, item, "name"),
        standard=b.value("收费标准", standard, item, key),
        bounds=b.value("收费限额", "，".join(bounds), item, bound_key) if bounds else None,
        basis=b.value("收费依据", law, item, "legal_basis"),
        basis_text=labels.prose(basis.text),
        waivable=item.waivable,
        when=when,
    )


def _fees(b: _Builder) -> tuple[GuideFee, ...]:
    out = []
    for ref in b.matter.fees:
        item = b.catalogue.fee_items.get(ref.item)
        if item is not None:
            out.append(_fee(b, item, b.condition(ref.when)))
    return tuple(out)


def _first_phone(
    b: _Builder, label: str, key: str, blocks: tuple[_Block | None, ...]
) -> Value | None:
    for block in blocks:
        number = getattr(block, key, None) if block is not None else None
        if number is not None:
            return b.value(label, number, block, key)
    return None


def _service(b: _Builder) -> GuideService:
    matter = b.matter
    service = matter.service
    hall_id = service.hall if service is not None and service.hall else matter.lead_department
    hall = b.department(hall_id)
    lead = b.department(matter.lead_department)
    address = None
    if hall is not None and hall.address is not None:
        address = b.value("办公地址", hall.address, hall, "address")
    if hall is not None and hall.office_hours is not None:
        hours = hall.office_hours
        text = labels.office_hours_text(
            (*hours.morning.split("-"), *hours.afternoon.split("-")), hours.note
        )
        office_hours = b.value("办公时间", text, hall, "office_hours")
    else:
        # Not declared: publish the hours the engine counts limits in, and say so.
        engine = DEFAULT_OFFICE_HOURS
        points = [f"{t:%H:%M}" for t in (*engine.morning, *engine.afternoon)]
        note = "未公布，按本系统计算时限所用的办公时间"
        office_hours = Value(labels.office_hours_text(points, note))
    blocks = (service, lead, hall)
    window = online = None
    if service is not None and service.window is not None:
        window = b.value("办理窗口", service.window, service, "window")
    if service is not None and service.online_url is not None:
        online = b.value("网上办理地址", service.online_url, service, "online_url")
    elif hall is not None and hall.website is not None:
        online = b.value("网上办理地址", hall.website, hall, "website")
    visits = None
    if matter.visits is not None:
        visits = f"{matter.visits}次" + ("（全程网办）" if matter.visits == 0 else "")
    return GuideService(
        hall=b.department_value("办理地点", hall_id),
        address=address,
        office_hours=office_hours,
        window=window,
        online_url=online,
        consultation_phone=_first_phone(b, "咨询电话", "consultation_phone", blocks),
        complaint_phone=_first_phone(b, "监督投诉电话", "complaint_phone", blocks),
        visits=visits,
        channels=tuple(labels.CHANNELS[c] for c in matter.channels),
    )


def build_guide(process: Process, catalogue: Catalogue) -> Guide:
    """The service guide of ``process``'s matter, read from ``catalogue``.

    ``process`` is the matter compiled against ``catalogue``
    (:func:`approval_rules.compiler.compile_matter`); the guide shows its steps in the
    engine's order, its signers' posts and its critical path.
    """
    matter = process.matter
    b = _Builder(matter, process, catalogue)
    result = matter.result
    if matter.is_example("legal_basis"):
        b.examples["设定依据"] = None
    name = b.value("事项名称", matter.name, matter, "name")
    catalogue_code = b.value("基本编码", matter.catalogue_code, matter, "catalogue_code")
    implementation_code = b.value(
        "实施编码", matter.implementation_code, matter, "implementation_code"
    )
    lead = b.department_value("实施主体", matter.lead_department)
    co_departments = tuple(b.department_value("联办机构", d) for d in matter.co_departments)
    conditions = tuple(
        b.value("申请条件", labels.prose(c), matter, "application_conditions")
        for c in matter.application_conditions
    )
    materials, steps, limits, fees = _materials(b), _steps(b), _limits(b), _fees(b)
    result_view = GuideResult(
        name=b.value("结果名称", result.name, result, "name"),
        electronic=result.electronic,
        validity=b.value("有效期限", labels.validity_text(result.validity), result, "validity"),
    )
    further = tuple(
        GuideResult(
            name=b.value("结果名称", r.name, r, "name"),
            electronic=r.electronic,
            validity=b.value("有效期限", labels.validity_text(r.validity), r, "validity"),
            department=b.department_value("出具部门", r.department),
        )
        for r in matter.further_results
    )
    service = _service(b)
    commitment = _commitment(b, matter.commitment)
    no_fee = b.value("不收费", "不收费", matter, "no_fee") if matter.no_fee else None
    return Guide(
        matter=matter,
        content_hash=process.content_hash,
        name=name,
        catalogue_code=catalogue_code,
        implementation_code=implementation_code,
        matter_type=labels.MATTER_TYPES[matter.matter_type],
        case_type=labels.CASE_TYPES[matter.case_type],
        lead_department=lead,
        co_departments=co_departments,
        legal_basis=tuple(
            GuideBasis(basis.law, basis.article, labels.prose(basis.text))
            for basis in matter.legal_basis
        ),
        legal_basis_example=matter.is_example("legal_basis"),
        note=labels.prose(matter.note),
        conditions=conditions,
        materials=materials,
        steps=steps,
        limits=limits,
        fees=fees,
        result=result_view,
        service=service,
        examples=tuple(b.examples),
        further_results=further,
        commitment=commitment,
        no_fee=no_fee,
    )

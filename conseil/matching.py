"""Skills against jobs: the gap to a target job and the jobs closest to what the person can do.

Scores are explainable by construction: a job's score is the share of its ROME skills the person
already holds, core skills counting double, and every result carries the skills behind it.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q

from cep.referentials.models import RomeJob, RomeJobSkill, RomeMobility, RomeSkill

CORE_WEIGHT = 2


@dataclass
class Gap:
    job: RomeJob
    matched: list[RomeSkill] = field(default_factory=list)
    missing_core: list[RomeSkill] = field(default_factory=list)
    missing_other: list[RomeSkill] = field(default_factory=list)

    @property
    def missing(self) -> list[RomeSkill]:
        return self.missing_core + self.missing_other

    # The gap by the ROME's own types, each core first: skills (savoir-faire, savoir-être), then
    # knowledge (savoirs), then diplomas, certifications and habilitations.
    @property
    def missing_skills(self) -> list[RomeSkill]:
        return [s for s in self.missing if s.category != RomeSkill.Category.KNOWLEDGE]

    @property
    def missing_knowledge(self) -> list[RomeSkill]:
        return [
            s
            for s in self.missing
            if s.category == RomeSkill.Category.KNOWLEDGE and not s.is_certification
        ]

    @property
    def missing_certifications(self) -> list[RomeSkill]:
        return [s for s in self.missing if s.is_certification]

    def groups(self) -> list[tuple[str, list[RomeSkill]]]:
        return [
            ("Compétences à acquérir, cœur de métier d'abord", self.missing_skills),
            ("Connaissances à acquérir", self.missing_knowledge),
            ("Diplômes, certifications et habilitations", self.missing_certifications),
        ]


@dataclass
class JobScore:
    job: RomeJob
    score: int  # percent
    matched: list[RomeSkill]
    missing_core: list[RomeSkill]


def job_gap(*, job: RomeJob, held_skill_ids: set[int]) -> Gap:
    """The job's skills the person lacks, core skills first."""
    gap = Gap(job=job)
    links = RomeJobSkill.objects.filter(job=job).select_related("skill")
    for link in sorted(links, key=lambda link: (not link.is_core, link.skill.label)):
        if link.skill_id in held_skill_ids:
            gap.matched.append(link.skill)
        elif link.is_core:
            gap.missing_core.append(link.skill)
        else:
            gap.missing_other.append(link.skill)
    return gap


def weighted(core: int, other: int) -> int:
    return core * CORE_WEIGHT + other


def rank_jobs(*, held_skill_ids: set[int], limit: int = 10) -> list[JobScore]:
    """Jobs sharing skills with the person, best overlap first, in a fixed number of queries."""
    if not held_skill_ids:
        return []
    core = Q(is_core=True)
    overlaps = (
        RomeJobSkill.objects.filter(skill_id__in=held_skill_ids)
        .values("job_id")
        .annotate(core=Count("pk", filter=core), other=Count("pk", filter=~core))
    )
    matched = {row["job_id"]: weighted(row["core"], row["other"]) for row in overlaps}
    totals = (
        RomeJobSkill.objects.filter(job_id__in=list(matched))
        .values("job_id")
        .annotate(core=Count("pk", filter=core), other=Count("pk", filter=~core))
    )
    scores = {
        row["job_id"]: round(100 * matched[row["job_id"]] / weighted(row["core"], row["other"]))
        for row in totals
    }
    best = sorted(scores, key=lambda code: (-scores[code], code))[:limit]
    jobs = RomeJob.objects.in_bulk(best)
    details: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
    links = RomeJobSkill.objects.filter(job_id__in=best).select_related("skill")
    for link in sorted(links, key=lambda link: link.skill.label):
        if link.skill_id in held_skill_ids:
            details[link.job_id][0].append(link.skill)
        elif link.is_core:
            details[link.job_id][1].append(link.skill)
    return [
        JobScore(
            job=jobs[code],
            score=scores[code],
            matched=details[code][0],
            missing_core=details[code][1],
        )
        for code in best
    ]


def nearby_jobs(*, job_codes: list[str], limit: int = 10) -> list[RomeJob]:
    """Jobs one can move to from these, as the ROME mobility graph says, nearest first."""
    edges = (
        RomeMobility.objects.filter(source_id__in=job_codes)
        .exclude(target_id__in=job_codes)
        .select_related("target")
        .order_by("order", "target_id")
    )
    seen: dict[str, RomeJob] = {}
    for edge in edges:
        seen.setdefault(edge.target_id, edge.target)
        if len(seen) == limit:
            break
    return list(seen.values())

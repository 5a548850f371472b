"""The funding plan's arithmetic, in exact decimals: what is covered, what is left to the person."""

from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal("0.00")


@dataclass
class LineSummary:
    line: object
    granted: Decimal = ZERO
    requested_pending: Decimal = ZERO
    requests: list = field(default_factory=list)

    @property
    def remaining(self) -> Decimal:
        return max(ZERO, self.line.amount - self.granted)


@dataclass
class FundingSummary:
    lines: list[LineSummary]
    can_pay: Decimal | None

    @property
    def total_cost(self) -> Decimal:
        return sum((summary.line.amount for summary in self.lines), ZERO)

    @property
    def total_granted(self) -> Decimal:
        return sum((summary.granted for summary in self.lines), ZERO)

    @property
    def remaining_cost(self) -> Decimal:
        """The reste à charge: each line's cost minus what was granted for it, never below 0."""
        return sum((summary.remaining for summary in self.lines), ZERO)

    @property
    def exceeds_means(self) -> bool:
        return self.can_pay is not None and self.remaining_cost > self.can_pay


def summarize(cost_lines, funding_requests, can_pay: Decimal | None) -> FundingSummary:
    """Granted amounts count only for granted requests; pending ones are shown apart."""
    by_line = {line.pk: LineSummary(line=line) for line in cost_lines}
    for request in funding_requests:
        summary = by_line[request.cost_line_id]
        summary.requests.append(request)
        if request.status == "accordee" and request.amount_granted is not None:
            summary.granted += request.amount_granted
        elif request.status in ("a_demander", "demandee"):
            summary.requested_pending += request.amount_requested
    return FundingSummary(lines=list(by_line.values()), can_pay=can_pay)

"""The funding plan's arithmetic, in exact decimals: what is covered, what is left to the person."""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from cep import formatting

ZERO = Decimal("0.00")


@dataclass
class LineSummary:
    line: object
    granted: Decimal = ZERO
    requested_pending: Decimal = ZERO
    requests: list = field(default_factory=list)
    # The CPF holder's flat participation, when the CPF alone pays for the line.
    participation: Decimal = ZERO

    @property
    def remaining(self) -> Decimal:
        return max(ZERO, self.line.amount - self.granted) + self.participation


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
    def total_participation(self) -> Decimal:
        return sum((summary.participation for summary in self.lines), ZERO)

    @property
    def remaining_cost(self) -> Decimal:
        """The reste à charge: each line's cost minus what was granted for it, never below 0,
        plus the CPF flat participation where it is due."""
        return sum((summary.remaining for summary in self.lines), ZERO)

    @property
    def exceeds_means(self) -> bool:
        return self.can_pay is not None and self.remaining_cost > self.can_pay


def summarize(
    cost_lines,
    funding_requests,
    can_pay: Decimal | None,
    *,
    cpf_participation: Callable[[object], Decimal] | None = None,
) -> FundingSummary:
    """Granted amounts count only for granted requests; pending ones are shown apart.

    `cpf_participation` gives the holder's flat participation for a granted CPF request, or is
    None when the person owes none (a registered job seeker, an employer topping up). It is due
    on a line the CPF alone pays for: another funder's grant on the line waives it."""
    by_line = {line.pk: LineSummary(line=line) for line in cost_lines}
    for request in funding_requests:
        summary = by_line[request.cost_line_id]
        summary.requests.append(request)
        if request.status == "accordee" and request.amount_granted is not None:
            summary.granted += request.amount_granted
        elif request.status in ("a_demander", "demandee"):
            summary.requested_pending += request.amount_requested
    if cpf_participation is not None:
        for summary in by_line.values():
            granted = [r for r in summary.requests if r.status == "accordee"]
            if granted and all(r.scheme == "cpf" for r in granted):
                summary.participation = cpf_participation(granted[0])
    return FundingSummary(lines=list(by_line.values()), can_pay=can_pay)


def euros(amount: Decimal | None) -> str:
    """An amount as the French read it: 6 500,00 € (cep.formatting.euros)."""
    return formatting.euros(amount)

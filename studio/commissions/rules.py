"""How much an agreement gives a school: pure arithmetic on Decimals and minor units, so the
rules read (and test) without a database."""

from decimal import ROUND_HALF_UP, Decimal

from saas_platform.money import to_minor

HUNDRED = Decimal(100)


def percent_minor(net: Decimal, percent: Decimal, currency: str) -> int:
    """``percent`` of ``net``, rounded half up to the currency's minor unit."""
    return to_minor(Decimal(net) * Decimal(percent) / HUNDRED, currency)


def tiered_minor(net: Decimal, before: Decimal, tiers: list[dict], currency: str) -> int:
    """Commission on ``net`` sold after ``before`` had already been sold under the agreement:
    each part of it is paid at its band's rate (10 % up to 1,000, then 15 % above), like tax
    brackets, so a sale that crosses a threshold is split across the two bands."""
    net, start = Decimal(net), Decimal(before)
    end = start + net
    total = Decimal(0)
    lower = Decimal(0)
    for tier in tiers:
        upper = Decimal(tier["up_to"]) if tier.get("up_to") not in (None, "") else None
        band_start = max(start, lower)
        band_end = end if upper is None else min(end, upper)
        if band_end > band_start:
            total += (band_end - band_start) * Decimal(tier["percent"]) / HUNDRED
        if upper is None or end <= upper:
            break
        lower = upper
    return to_minor(total, currency)


def split_minor(total: int, weights: list[int]) -> list[int]:
    """``total`` shared in proportion to ``weights`` (largest remainder): the shares add up
    exactly. Without any weight the first share takes everything."""
    if not weights:
        return []
    weight_sum = sum(weights)
    if weight_sum <= 0:
        return [total] + [0] * (len(weights) - 1)
    shares = [total * weight // weight_sum for weight in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % weight_sum), i))
    for i in remainders[: total - sum(shares)]:
        shares[i] += 1
    return shares


def share_minor(amount_minor: int, part: Decimal, whole: Decimal) -> int:
    """``amount_minor`` × part / whole, rounded half up."""
    if not whole:
        return 0
    return int((Decimal(amount_minor) * Decimal(part) / Decimal(whole)).quantize(1, ROUND_HALF_UP))

"""Incentives: what a participant was promised for a study, and whether it was paid.

Amounts are kept in the currency's minor unit (cents, yen) as whole numbers, so
sums never drift; the currency must be an active ISO 4217 code, and the number of
decimals a researcher types must fit it (no 10.005 EUR, no 100.5 JPY). A promise can
be paid or cancelled, nothing else: a paid incentive stays paid.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

__all__ = [
    "CURRENCIES",
    "INCENTIVE_STATUSES",
    "INCENTIVE_TRANSITIONS",
    "IncentiveError",
    "check_currency",
    "format_amount",
    "next_incentive_status",
    "parse_amount",
]

_TWO = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN "
    "BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB "
    "EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS "
    "KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN "
    "MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD "
    "SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS "
    "UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG"
)
_ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE = "BHD IQD JOD KWD LYD OMR TND"
_FOUR = "CLF UYW"

#: Active ISO 4217 currency codes → digits of the minor unit (precious metals, test
#: and "no currency" codes left out: nobody is paid in gold, XAU, or in the code for no currency).
CURRENCIES: dict[str, int] = {
    **dict.fromkeys(_TWO.split(), 2),
    **dict.fromkeys(_ZERO.split(), 0),
    **dict.fromkeys(_THREE.split(), 3),
    **dict.fromkeys(_FOUR.split(), 4),
}

INCENTIVE_STATUSES = ("promised", "paid", "cancelled")
#: action → (from statuses, to status)
INCENTIVE_TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "pay": (("promised",), "paid"),
    "cancel": (("promised",), "cancelled"),
}
MAX_MAJOR = Decimal(1_000_000)


class IncentiveError(ValueError):
    """An amount, currency or status change that is not allowed; says why."""


def check_currency(code: str) -> str:
    upper = code.strip().upper()
    if upper not in CURRENCIES:
        raise IncentiveError(f"currency: {code!r} is not an active ISO 4217 code (e.g. EUR, USD)")
    return upper


def parse_amount(text: str, currency: str) -> int:
    """``"25.50"`` EUR → 2550 (minor units); positive, within the currency's decimals."""
    code = check_currency(currency)
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation as exc:
        raise IncentiveError(f"amount: {text!r} is not a number") from exc
    if not value.is_finite() or value <= 0:
        raise IncentiveError(f"amount: must be positive, not {text!r}")
    if value > MAX_MAJOR:
        raise IncentiveError(f"amount: {text} is above {MAX_MAJOR:,} {code}")
    digits = CURRENCIES[code]
    minor = value.scaleb(digits)
    if minor != minor.to_integral_value():
        raise IncentiveError(f"amount: {code} has {digits} decimal(s); {text} has more")
    return int(minor)


def format_amount(minor: int, currency: str) -> str:
    digits = CURRENCIES.get(currency, 2)
    return f"{Decimal(minor).scaleb(-digits):.{digits}f}"


def next_incentive_status(current: str, action: str) -> str:
    if action not in INCENTIVE_TRANSITIONS:
        raise IncentiveError(f"action: must be one of {', '.join(INCENTIVE_TRANSITIONS)}")
    allowed, target = INCENTIVE_TRANSITIONS[action]
    if current not in allowed:
        raise IncentiveError(f"cannot {action} an incentive that is {current}")
    return target

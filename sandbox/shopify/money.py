"""Money amounts as the sandbox keeps them (Decimal) and as Shopify prints them."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_amount(value: str | Decimal | int) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def shopify_decimal(amount: Decimal) -> str:
    """Shopify serialises Decimal like Ruby's BigDecimal: "10.0", "10.5", "199.95" (never "10.00").

    Clients must parse amounts, not compare strings; the sandbox keeps them honest.
    """
    text = format(amount.normalize(), "f")
    return text if "." in text else f"{text}.0"


def money_bag(amount: Decimal, currency: str) -> dict:
    money = {"amount": shopify_decimal(amount), "currencyCode": currency}
    return {"shopMoney": money, "presentmentMoney": dict(money)}

"""The versioned price table (prices.json beside this file): per region, per billed item, the hourly price in
USD with where it was read and when.

A price without a source can't be checked or updated, so the loader refuses it: every price names at least
one source, and every source a URL and the date it was read. A region or an item the table lacks is not
guessed: the estimate says "price unknown" for it (vpnctl/cost/estimate.py).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationError

from vpn_schema.base import StrictModel

PRICES = Path(__file__).resolve().parent / "prices.json"
ITEMS = ("site_to_site_connection", "accelerated_connection_extra", "transit_gateway_attachment",
         "client_vpn_association", "client_vpn_connection")
Item = Literal["site_to_site_connection", "accelerated_connection_extra", "transit_gateway_attachment",
               "client_vpn_association", "client_vpn_connection"]


def _web_address(value: str) -> str:
    if not value.startswith("https://"):
        raise ValueError(f"a source is an https:// address, got {value!r}")
    return value


class Source(StrictModel):
    """Where a figure was read: the page (or data file), the day it was read, and the page's own date when
    it has one. The note quotes what the page says, so a reviewer can check the figure against it."""

    url: Annotated[str, AfterValidator(_web_address)] = Field(description="The page or file the figure is from.")
    read: datetime.date = Field(description="The day the figure was read.")
    published: datetime.date | None = Field(None, description="The page's own date, when it shows one.")
    note: Annotated[str, Field(min_length=1)] = Field(description="What the page says, and how it was read.")


Sources = Annotated[list[Source], Field(min_length=1)]


class Price(StrictModel):
    """One item's hourly price in one region."""

    hourly: Annotated[Decimal, Field(gt=0)] = Field(description="USD per hour of one unit (see `items`).")
    sources: Sources = Field(description="At least one: a price nobody can trace is not in the table.")


class HoursPerMonth(StrictModel):
    """The month an hourly price is multiplied by, with where that month comes from."""

    value: Annotated[int, Field(gt=0, le=744)] = Field(description="Hours in the estimate's month.")
    sources: Sources = Field(description="Where the month's length is from.")


class PriceTable(StrictModel):
    """The whole table; `version` is the day it was last read through."""

    version: datetime.date = Field(description="The day the table was last checked against its sources.")
    currency: Literal["USD"] = Field(description="Every price's currency.")
    hours_per_month: HoursPerMonth = Field(description="The month the estimate uses.")
    items: dict[Item, str] = Field(description="What one unit of each item is.")
    excluded: list[str] = Field(description="What the estimate leaves out, in words for the assumptions.")
    regions: dict[str, dict[Item, Price]] = Field(description="Region -> item -> price; what is missing is unknown.")

    def price(self, region: str, item: str) -> Decimal | None:
        """The hourly price, or None when the table doesn't know it (no guess)."""
        found = self.regions.get(region, {}).get(item)
        return None if found is None else found.hourly


class PriceTableError(Exception):
    """The table is broken: one line per problem, naming the entry."""


def parse(text: str, source: str = "prices.json") -> PriceTable:
    """Validates a table's JSON text; a price without a source or a read date is refused, naming the entry."""
    try:
        return PriceTable.model_validate_json(text)
    except ValidationError as exc:
        lines = [f"{source}: {'.'.join(str(part) for part in error['loc'])}: {error['msg']}" for error in exc.errors()]
        raise PriceTableError("\n".join(lines)) from None


@cache
def load(path: Path = PRICES) -> PriceTable:
    """The shipped table, read once per process."""
    return parse(path.read_text(encoding="utf-8"), path.name)

"""The catalogue's data model (issue 5). Every fact the room says about a
product comes from one of these fields; nothing else is a source of truth.

Prices are Decimal (89.9 must stay 89.9, never 89.90000000000001), stock an
integer, and a product's identity is its SKU."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Coupon(_Strict):
    """满threshold减off, or percent_off; optional expiry (a date: through the end of that day)."""

    threshold: Decimal | None = Field(None, ge=0)
    off: Decimal | None = Field(None, gt=0)
    percent_off: Decimal | None = Field(None, gt=0, lt=100)
    expires: dt.datetime | dt.date | None = None

    @field_validator("expires", mode="before")
    @classmethod
    def _date_or_datetime(cls, v):  # noqa: ANN001, ANN206
        # "2026-12-31" must come back as a date from JSON, CSV and SQLite alike, not as midnight.
        if isinstance(v, str) and len(v.strip()) == 10:
            return dt.date.fromisoformat(v.strip())
        return v

    @field_validator("off")
    @classmethod
    def _off_below_threshold(cls, v, info):  # noqa: ANN001, ANN206
        # A field check (not a model check) so the error points at `off`, the key to fix.
        threshold = info.data.get("threshold")
        if v is not None and threshold is not None and v >= threshold > 0:
            raise ValueError(f"off ({v}) must be less than threshold ({threshold}): 满{threshold}减{v} gives the goods away")
        return v

    @model_validator(mode="after")
    def _one_kind(self) -> "Coupon":
        amount = self.off is not None
        percent = self.percent_off is not None
        if amount == percent:
            raise ValueError("give either off (with an optional threshold) or percent_off")
        return self

    def active(self, now: dt.datetime) -> bool:
        """Whether the coupon may still be offered at `now` (naive times are compared as local)."""
        if self.expires is None:
            return True
        if not isinstance(self.expires, dt.datetime):
            return now.date() <= self.expires
        expires = self.expires
        if (expires.tzinfo is None) != (now.tzinfo is None):
            expires, now = expires.astimezone(), now.astimezone()
        return now <= expires


class Shipping(_Strict):
    from_: str | None = Field(None, alias="from")
    days: int | None = Field(None, ge=0, le=60)
    free: bool | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Faq(_Strict):
    q: str = Field(min_length=1)
    a: str = Field(min_length=1)


class Product(_Strict):
    sku: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._\-]*$")
    name: str = Field(min_length=1, max_length=200)
    price: Decimal = Field(gt=0)
    list_price: Decimal | None = Field(None, gt=0)
    stock: int = Field(ge=0)
    aliases: list[str] = Field(default_factory=list)
    coupon: Coupon | None = None
    selling_points: list[str] = Field(default_factory=list)
    specs: dict[str, str] = Field(default_factory=dict)
    shipping: Shipping | None = None
    faq: list[Faq] = Field(default_factory=list)

    @field_validator("specs", mode="before")
    @classmethod
    def _spec_values_as_text(cls, v):  # noqa: ANN001, ANN206
        return {str(k): str(val) for k, val in v.items()} if isinstance(v, dict) else v

    @field_validator("list_price")
    @classmethod
    def _list_price_not_below(cls, v, info):  # noqa: ANN001, ANN206
        price = info.data.get("price")
        if v is not None and price is not None and v < price:
            raise ValueError(f"list_price ({v}) is below price ({price}): a 'discount' from a lower price is misleading (Price Law)")
        return v


class Catalog(_Strict):
    currency: str = Field("CNY", pattern=r"^[A-Z]{3}$")
    language: str = Field("zh", pattern=r"^(zh|en)$")
    products: list[Product] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_skus(self) -> "Catalog":
        seen: set[str] = set()
        for i, p in enumerate(self.products):
            if p.sku in seen:
                raise ValueError(f"products.{i}.sku: {p.sku!r} appears twice")
            seen.add(p.sku)
        return self

    def product(self, sku: str) -> Product | None:
        return next((p for p in self.products if p.sku == sku), None)

"""Describe-call helpers: filters and NextToken pagination as EC2 implements them."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable
from typing import Any

from aws_emulator.errors import invalid_parameter


def apply_filters(items: Iterable[Any], filters: dict[str, list[str]], fields: dict[str, Callable[[Any], Any]]) -> list:
    """Keeps items matching every filter (a filter matches any of its values); unknown names are refused."""
    chosen = list(items)
    for name, values in filters.items():
        getter = fields.get(name)
        if getter is None and name.startswith("tag:"):
            key = name[4:]
            getter = lambda item, key=key: item.tags.get(key)
        if getter is None:
            raise invalid_parameter(f"The filter '{name}' is invalid")
        wanted = {str(v) for v in values}
        chosen = [item for item in chosen if _matches(getter(item), wanted)]
    return chosen


def select(items: Iterable[Any], filters: dict[str, list[str]], fields: dict[str, Callable[[Any], Any]],
           ids: list[str] | None = None, id_filter: str = "") -> list:
    """What a Describe call answers: the items its IDs name (by the filter `id_filter`; every item when it
    names none) that match every filter."""
    chosen = apply_filters(items, filters, fields)
    return apply_filters(chosen, {id_filter: ids}, fields) if ids else chosen


def _matches(value: Any, wanted: set[str]) -> bool:
    if isinstance(value, (list, tuple, set)):
        return any(str(v) in wanted for v in value)
    if isinstance(value, bool):
        value = str(value).lower()
    return value is not None and str(value) in wanted


def paginate(items: list, max_results: int | None, next_token: str | None, *, low: int = 5, high: int = 1000) -> tuple[list, str | None]:
    """One page and the token for the next; MaxResults outside [low, high] is refused, as EC2 does."""
    start = 0
    if next_token:
        try:
            start = int(json.loads(base64.b64decode(next_token))["start"])
        except (ValueError, KeyError, TypeError):
            raise invalid_parameter(f"The token '{next_token}' is invalid") from None
    if max_results is None:
        return items[start:], None
    max_results = int(max_results)
    if not low <= max_results <= high:
        raise invalid_parameter(f"Value ( {max_results} ) for parameter maxResults is invalid. Expecting a value between {low} and {high}")
    end = start + max_results
    token = base64.b64encode(json.dumps({"start": end}).encode()).decode() if end < len(items) else None
    return items[start:end], token


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]

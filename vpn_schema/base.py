"""The one base of every config and props model: strict types, no unknown keys, immutable.

- `strict`: a string is never read as a number or a boolean, so `bgp_asn = "65000"` is refused, not coerced.
- `extra="forbid"`: an unknown key is an error (with a "did you mean"), never silently ignored.
- `frozen`: a validated model can't drift from what was validated.

Every field says what it is with `Field(description=...)`: its meaning, its default and AWS's rule where
there is one. The generated reference (docs/reference/) is written from these descriptions, and a test
fails when one is missing.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, model_validator

STRICT = ConfigDict(strict=True, extra="forbid", frozen=True)


class StrictModel(BaseModel):
    """A model of config or props: strict, closed and frozen (see the module docstring)."""

    model_config = STRICT


class CrossCheckedModel(StrictModel):
    """A StrictModel with rules across its fields: `_problems()` yields one `key: rule` line per broken rule,
    and they are raised together, so a user sees all of them in one run."""

    @model_validator(mode="after")
    def _cross_field_rules(self):
        problems = list(self._problems())
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def _problems(self) -> Iterable[str]:
        raise NotImplementedError

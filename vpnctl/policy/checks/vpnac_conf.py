"""Reading checkov's view of a resource, where every value is wrapped in a one-item list; and VpnCheck,
the base of the project's checks."""

from checkov.common.models.enums import CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

TUNNELS = ("tunnel1", "tunnel2")


def value(conf: dict, key: str, default=None):
    raw = conf.get(key, default)
    if isinstance(raw, list) and len(raw) == 1:
        return raw[0]
    return raw


def block(conf: dict, key: str) -> dict:
    """A nested block as a dict, or {} when absent."""
    raw = value(conf, key)
    return raw if isinstance(raw, dict) else {}


class VpnCheck(BaseResourceCheck):
    """A check of one resource type, declared by its class attributes; `passes(conf)` answers PASSED or
    FAILED. A check that can also answer UNKNOWN overrides scan_resource_conf instead.

    The class itself registers nothing: checkov registers a check when it is instantiated."""

    title = ""  # checkov's name of the check
    check_id = ""
    category = None  # a CheckCategories member
    resource = ""  # the resource type checked

    def __init__(self):
        super().__init__(name=self.title, id=self.check_id, categories=[self.category],
                         supported_resources=[self.resource])

    def scan_resource_conf(self, conf):
        return CheckResult.PASSED if self.passes(conf) else CheckResult.FAILED

    def passes(self, conf) -> bool:
        raise NotImplementedError

"""Reading checkov's view of a resource, where every value is wrapped in a one-item list."""

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

"""Topic filters: checked before they reach the broker, and turned into shared subscriptions.

A malformed filter would only surface as a refused SUBACK on a background thread; checking it
when the consumer is built turns a configuration mistake into an error at start.
``$share/{group}/{filter}`` (MQTT 5) lets several workers split one stream: the broker gives
each message to one member of the group.
"""

from __future__ import annotations


def subscription_topics(filters: list[str], share_group: str | None, protocol: int) -> list[str]:
    """The topics to subscribe to: the filters, or ``$share/{group}/{filter}`` for each."""
    if not filters:
        raise ValueError("at least one MQTT topic filter is needed")
    for topic_filter in filters:
        _check_filter(topic_filter)
    if share_group is None:
        return list(filters)
    if protocol != 5:
        raise ValueError("shared subscriptions ($share/...) need MQTT 5; the URL asks for 3.1.1")
    if not share_group or any(char in share_group for char in "/+#"):
        raise ValueError(f"shared subscription group {share_group!r} must be non-empty, no / + #")
    return [f"$share/{share_group}/{topic_filter}" for topic_filter in filters]


def _check_filter(topic_filter: str) -> None:
    levels = topic_filter.split("/")
    valid = bool(topic_filter) and "\x00" not in topic_filter
    for index, level in enumerate(levels):
        if "#" in level and (level != "#" or index != len(levels) - 1):
            valid = False
        if "+" in level and level != "+":
            valid = False
    if not valid or topic_filter.startswith("$share/"):
        raise ValueError(f"invalid MQTT topic filter {topic_filter!r} (use share_group for $share)")

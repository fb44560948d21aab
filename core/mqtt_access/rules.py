"""Who may do what on the broker, derived from the source registry; pure, no I/O.

Two kinds of broker account exist:

* a **supplier** account may publish to the topic filters of the sources it delivers
  (``source.supplier`` names the account) and read nothing;
* an **ingest** account (the worker's, from ``STADSPULS_MQTT_URL``) may read every topic the
  worker subscribes to — the convention tree ``stadspuls/#`` plus every foreign binding — and
  write nothing. Mosquitto checks reading per delivered message against the real topic, so this
  also covers the worker's ``$share/{group}/...`` subscriptions.

Anonymous clients get nothing. A filter that several sources' filters overlap is the tricky
part: the worker gives a topic to the *most specific* matching filter, so a supplier with a
broad filter (``v3/+/devices/+/up``) could otherwise write into another supplier's narrower
one. Each supplier is therefore denied every other source's filter that overlaps one of its
own and is at least as specific; Mosquitto 2 checks ``deny`` before any grant. Equally specific
overlaps are denied to both sides (fail closed) and reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from core.errors import StadspulsError
from core.sources import check_filter, filter_specificity, topic_matches

#: The tree the ingest worker subscribes to besides foreign bindings (``core.cli.mqtt``).
CONVENTION_TREE = "stadspuls/#"

Role = Literal["supplier", "ingest"]
ROLES: tuple[Role, ...] = ("supplier", "ingest")

#: Also the source id rule: no ':' (password file), no blanks or line breaks (both files),
#: no '+', '#', '/' or '%' (ACL patterns), at most 64 characters.
_ACCOUNT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_MAX_TOPIC_BYTES = 65_535  # MQTT's limit on a topic or filter


class BrokerAccessError(StadspulsError):
    """Broker accounts or access rules that cannot be created or written safely."""


class SourceBinding(Protocol):
    """What the rules need of a source; the registry's ``Source`` satisfies it."""

    @property
    def id(self) -> str: ...

    @property
    def supplier(self) -> str | None: ...

    @property
    def topic_filter(self) -> str: ...


class AccountEntry(Protocol):
    """What the rules need of a broker account; the ``broker_account`` rows satisfy it."""

    @property
    def username(self) -> str: ...

    @property
    def role(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Denial:
    """A filter a supplier may not publish to, and the source that claims it."""

    topic_filter: str
    source_id: str


@dataclass(frozen=True, slots=True)
class Grant:
    """A filter an account may use, and the source (or reason) it comes from."""

    topic_filter: str
    because: str


@dataclass(frozen=True, slots=True)
class AccountRules:
    """The ACL entries of one account."""

    username: str
    role: Role
    read: tuple[Grant, ...] = ()
    write: tuple[Grant, ...] = ()
    deny: tuple[Denial, ...] = ()


@dataclass(frozen=True, slots=True)
class AccessPlan:
    """Every account's rules, and what an operator should know about the registry."""

    accounts: tuple[AccountRules, ...]
    warnings: tuple[str, ...] = field(default=())


def check_account_name(name: str) -> str:
    """``name`` if it can be a Mosquitto user name in both files, else a clear error."""
    if not _ACCOUNT_NAME.match(name):
        raise BrokerAccessError(
            f"broker account name {name!r} must be 1-64 letters, digits, '.', '_' or '-' "
            "(it is written into Mosquitto's password and ACL files)"
        )
    return name


def check_role(role: str) -> Role:
    for known in ROLES:
        if role == known:
            return known
    raise BrokerAccessError(f"broker account role {role!r} must be one of {', '.join(ROLES)}")


def check_acl_filter(topic_filter: str) -> str:
    """``topic_filter`` if an ACL ``topic`` line states it exactly, else a clear error.

    Mosquitto reads the ACL file line by line and trims blanks around the filter: a line break
    would start a new rule, and a leading or trailing space would silently change the filter.
    Spaces inside a level are valid MQTT and survive (the rest of the line is the filter).
    """
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in topic_filter):
        raise BrokerAccessError(
            f"topic filter {topic_filter!r} contains a control character (e.g. a line break)"
        )
    if topic_filter != topic_filter.strip():
        raise BrokerAccessError(f"topic filter {topic_filter!r} starts or ends with a blank")
    try:
        encoded = topic_filter.encode("utf-8")
    except UnicodeEncodeError:
        raise BrokerAccessError(f"topic filter {topic_filter!r} is not valid UTF-8") from None
    if len(encoded) > _MAX_TOPIC_BYTES:
        raise BrokerAccessError(f"topic filter {topic_filter[:40]!r}... is over 65535 bytes")
    try:
        check_filter(topic_filter)
    except StadspulsError as error:
        raise BrokerAccessError(str(error)) from None
    return topic_filter


def filters_overlap(first: str, second: str) -> bool:
    """Whether some topic matches both MQTT filters ('#' also matches its parent level)."""
    a, b = first.split("/"), second.split("/")
    for index in range(max(len(a), len(b))):
        left = a[index] if index < len(a) else None
        right = b[index] if index < len(b) else None
        if left == "#" or right == "#":
            return True
        if left is None or right is None:
            # one filter ended: only a trailing '#' on the other matches that parent topic
            rest = b[index:] if left is None else a[index:]
            return rest == ["#"]
        if left != right and "+" not in (left, right):
            return False
    return True


def plan_access(accounts: Iterable[AccountEntry], sources: Iterable[SourceBinding]) -> AccessPlan:
    """The rules for every account; raises before anything is written if a name is unsafe."""
    roles = {check_account_name(a.username): check_role(a.role) for a in accounts}
    checked = sorted(sources, key=lambda source: source.id)
    for source in checked:
        _check_source(source)
    suppliers = {name for name, role in roles.items() if role == "supplier"}
    rules = tuple(
        _ingest_rules(name, checked) if roles[name] == "ingest" else _supplier_rules(name, checked)
        for name in sorted(roles, key=lambda name: (roles[name] != "ingest", name))
    )
    return AccessPlan(rules, tuple(_warnings(roles, suppliers, checked)))


def _check_source(source: SourceBinding) -> None:
    if not source.id or not source.id.isprintable():
        raise BrokerAccessError(f"source id {source.id!r} contains a control character")
    try:
        check_acl_filter(source.topic_filter)
    except BrokerAccessError as error:
        raise BrokerAccessError(f"source '{source.id}': {error}") from None


def _ingest_rules(name: str, sources: Sequence[SourceBinding]) -> AccountRules:
    """The worker's own subscriptions: the convention tree and every foreign binding."""
    foreign: dict[str, str] = {}
    for source in sources:
        if not topic_matches(CONVENTION_TREE, source.topic_filter):
            foreign.setdefault(source.topic_filter, f"source {source.id}")
    read = [Grant(CONVENTION_TREE, "the convention tree stadspuls/{pilot}/{source}/...")]
    read += [Grant(topic_filter, why) for topic_filter, why in sorted(foreign.items())]
    return AccountRules(name, "ingest", read=tuple(read))


def _supplier_rules(name: str, sources: Sequence[SourceBinding]) -> AccountRules:
    own = [source for source in sources if source.supplier == name]
    write = {source.topic_filter: f"source {source.id}" for source in reversed(own)}
    deny = [
        Denial(other.topic_filter, other.id)
        for other in sources
        if other.supplier != name and any(_may_claim(other, mine) for mine in own)
    ]
    grants = tuple(Grant(topic_filter, why) for topic_filter, why in sorted(write.items()))
    return AccountRules(name, "supplier", write=grants, deny=tuple(deny))


def _may_claim(other: SourceBinding, mine: SourceBinding) -> bool:
    """Whether the worker may give ``other`` a topic that ``mine``'s filter also matches."""
    return filters_overlap(other.topic_filter, mine.topic_filter) and filter_specificity(
        other.topic_filter
    ) >= filter_specificity(mine.topic_filter)


def _warnings(
    roles: dict[str, Role], suppliers: set[str], sources: Sequence[SourceBinding]
) -> list[str]:
    warnings = []
    if "ingest" not in roles.values():
        warnings.append("no ingest account: the worker cannot connect to this broker")
    for source in sources:
        if source.supplier is None:
            warnings.append(f"source '{source.id}' names no supplier: no account may publish to it")
        elif source.supplier not in suppliers:
            warnings.append(
                f"source '{source.id}': supplier {source.supplier!r} has no supplier account"
            )
    owners = {source.supplier for source in sources}
    warnings += [
        f"supplier account '{name}' delivers no source: it may connect but publish nothing"
        for name in sorted(suppliers - owners)
    ]
    warnings += _tie_warnings(sources)
    return warnings


def _tie_warnings(sources: Sequence[SourceBinding]) -> list[str]:
    """Overlapping, equally specific filters of different suppliers: nobody publishes there."""
    found = []
    for index, first in enumerate(sources):
        for second in sources[index + 1 :]:
            if (
                first.supplier != second.supplier
                and filters_overlap(first.topic_filter, second.topic_filter)
                and filter_specificity(first.topic_filter)
                == filter_specificity(second.topic_filter)
            ):
                found.append(
                    f"sources '{first.id}' and '{second.id}' have overlapping, equally specific "
                    "filters: neither supplier may publish where they overlap"
                )
    return found

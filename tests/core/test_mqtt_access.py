"""Access rules, file texts and password hashes, without a broker (tests/mqtt has the broker)."""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
import subprocess
from pathlib import Path

import pytest

from core.cli.mqtt import subscription_filters
from core.mqtt_access.files import (
    ACL_FILE,
    CONF_FILE,
    PASSWORD_FILE,
    render_access_files,
    render_acl,
    render_conf,
    render_passwords,
    write_access_files,
)
from core.mqtt_access.passwords import (
    hash_password,
    is_mosquitto_hash,
    new_password,
    verify_password,
)
from core.mqtt_access.rules import (
    BrokerAccessError,
    check_account_name,
    check_acl_filter,
    filters_overlap,
    plan_access,
)
from core.sources import Source, source_for_topic, topic_matches
from tests.mqtt.access import Account, Binding

HASH = hash_password("not-a-real-secret")


def account(name: str, role: str = "supplier") -> Account:
    return Account(name, role, HASH)


def acl_lines(text: str) -> list[str]:
    """The rule lines Mosquitto reads (comments and blank lines dropped)."""
    return [line for line in text.splitlines() if line and not line.startswith("#")]


# --- passwords ---------------------------------------------------------------------------


def test_a_hash_has_mosquitto_2s_pbkdf2_shape_and_verifies() -> None:
    password = new_password()
    stored = hash_password(password)
    _, kind, iterations, salt, digest = stored.split("$")
    assert (kind, iterations) == ("7", "1000")
    assert len(base64.b64decode(salt)) == 12 and len(base64.b64decode(digest)) == 64
    assert verify_password(password, stored)
    assert not verify_password(password + "x", stored)
    assert hash_password(password) != stored  # a fresh salt every time


def test_our_hash_function_matches_what_mosquitto_passwd_writes(tmp_path: Path) -> None:
    """Recompute mosquitto_passwd's own hash from its salt and iteration count."""
    path = tmp_path / "pw"
    subprocess.run(["mosquitto_passwd", "-c", "-b", str(path), "acme", "s3cret pass"], check=True)
    stored = path.read_text().strip().partition(":")[2]
    assert verify_password("s3cret pass", stored)
    assert not verify_password("s3cret", stored)
    _, _, iterations, salt, digest = stored.split("$")
    expected = hashlib.pbkdf2_hmac(
        "sha512", b"s3cret pass", base64.b64decode(salt), int(iterations)
    )
    assert base64.b64encode(expected).decode() == digest


def test_passwords_are_random_long_and_url_safe() -> None:
    passwords = {new_password() for _ in range(50)}
    assert len(passwords) == 50
    assert all(len(p) >= 43 and p.replace("-", "").replace("_", "").isalnum() for p in passwords)


@pytest.mark.parametrize(
    "stored",
    ["", "plain", "$6$salt$hash", "$7$0$" + HASH.split("$", 3)[3], "$7$1000$c2FsdA==$aGFzaA==",
     "$7$²$" + HASH.split("$", 3)[3], HASH + "$", HASH.replace("$7$", "$7$-1")],
)
def test_malformed_hashes_are_recognised(stored: str) -> None:
    assert not is_mosquitto_hash(stored)
    assert not verify_password("anything", stored)


# --- names and filters that would break the files ----------------------------------------


@pytest.mark.parametrize(
    "name",
    ["", "acme corp", "acme:1", "acme\nuser evil", " acme", "acme ", "a/b", "a+b", "a#b", "%u",
     "-acme", "x" * 65, "acmé"],
)
def test_unsafe_account_names_are_refused(name: str) -> None:
    with pytest.raises(BrokerAccessError, match="broker account name"):
        check_account_name(name)


@pytest.mark.parametrize("name", ["acme", "Be-Mobile", "city.gent", "ttn_kortrijk", "x" * 64])
def test_safe_account_names_pass(name: str) -> None:
    assert check_account_name(name) == name


@pytest.mark.parametrize(
    ("topic_filter", "reason"),
    [
        ("a/b\ntopic readwrite #", "control character"),
        ("a/b\r", "control character"),
        ("a/\x00b", "control character"),
        ("a/b\x7f", "control character"),
        (" a/b", "blank"),
        ("a/b ", "blank"),
        ("", "empty"),
        ("a/#/b", "'#' must be the last level"),
        ("a/b#", "'#' must be the last level"),
        ("a/b+/c", "'+' must fill a whole level"),
        ("$SYS/#", "system topic"),
        ("$share/g/a/#", "system topic"),
        ("a/\ud800", "not valid UTF-8"),
        ("a/" + "x" * 65_534, "over 65535 bytes"),
    ],
)
def test_filters_that_an_acl_line_cannot_state_exactly_are_refused(
    topic_filter: str, reason: str
) -> None:
    with pytest.raises(BrokerAccessError, match=re.escape(reason)):
        check_acl_filter(topic_filter)


@pytest.mark.parametrize(
    "topic_filter", ["stadspuls/parking/gent/#", "v3/app@ttn/devices/+/up", "#", "a/b c/d", "é/%u"]
)
def test_valid_filters_pass_unchanged(topic_filter: str) -> None:
    assert check_acl_filter(topic_filter) == topic_filter


def test_a_source_whose_filter_would_inject_a_rule_is_refused_before_anything_is_written() -> None:
    evil = Binding("gent", "acme", "stadspuls/parking/gent/#\nuser acme\ntopic write #")
    with pytest.raises(BrokerAccessError, match=r"source 'gent'.*control character"):
        plan_access([account("acme")], [evil])


def test_a_source_id_with_a_line_break_cannot_inject_a_rule_through_a_comment() -> None:
    with pytest.raises(BrokerAccessError, match="control character"):
        plan_access([account("acme")], [Binding("gent\ntopic write #", "acme", "a/#")])


def test_an_unsafe_account_name_from_the_database_is_refused_when_the_files_are_rendered() -> None:
    with pytest.raises(BrokerAccessError):
        plan_access([account("acme\ntopic write #")], [])
    with pytest.raises(BrokerAccessError):
        render_passwords([account("acme:x")])


def test_an_unknown_role_is_refused() -> None:
    with pytest.raises(BrokerAccessError, match="role 'admin'"):
        plan_access([account("root", role="admin")], [])


# --- the rules ---------------------------------------------------------------------------

SOURCES = [
    Binding("gent-garages", "acme", "stadspuls/parking/gent-garages/#"),
    Binding("brugge-bays", "brugo", "stadspuls/parking/brugge-bays/#"),
    Binding("kortrijk-bays", "brugo", "v3/kortrijk@ttn/devices/+/up"),
    Binding("acme-ttn", "acme", "v3/+/devices/+/up"),
    Binding("leuven-counters", None, "stadspuls/crowding/leuven-counters/#"),
]


def test_the_acl_grants_suppliers_writes_to_their_own_sources_and_the_worker_reads() -> None:
    accounts = [account("acme"), account("brugo"), account("ingest", "ingest")]
    acl = render_acl(plan_access(accounts, SOURCES))
    assert acl_lines(acl) == [
        "user ingest",
        "topic read stadspuls/#",
        "topic read v3/+/devices/+/up",
        "topic read v3/kortrijk@ttn/devices/+/up",
        "user acme",
        "topic deny v3/kortrijk@ttn/devices/+/up",
        "topic write stadspuls/parking/gent-garages/#",
        "topic write v3/+/devices/+/up",
        "user brugo",
        "topic write stadspuls/parking/brugge-bays/#",
        "topic write v3/kortrijk@ttn/devices/+/up",
    ]
    assert acl.splitlines()[0].startswith("#")
    assert acl_lines(acl)[0] == "user ingest"  # nothing for anonymous clients before it


def test_the_worker_may_read_every_filter_it_subscribes_to() -> None:
    sources = [Source(id=b.id, pilot="parking", format="json", topic=b.topic_filter)
               for b in SOURCES]
    plan = plan_access([account("ingest", "ingest")], SOURCES)
    readable = [grant.topic_filter for grant in plan.accounts[0].read]
    assert readable == subscription_filters(sources)


def test_an_account_without_sources_gets_a_user_line_and_no_rule() -> None:
    plan = plan_access([account("idle")], SOURCES)
    assert acl_lines(render_acl(plan)) == ["user idle"]
    assert "supplier account 'idle' delivers no source" in " ".join(plan.warnings)


def test_operators_are_warned_about_sources_nobody_may_publish_to() -> None:
    sources = [*SOURCES, Binding("orphan", "gone", "stadspuls/parking/orphan/#")]
    warnings = plan_access([account("acme"), account("brugo")], sources).warnings
    assert "no ingest account: the worker cannot connect to this broker" in warnings
    assert "source 'leuven-counters' names no supplier: no account may publish to it" in warnings
    assert "source 'orphan': supplier 'gone' has no supplier account" in warnings


def test_an_ingest_account_named_as_a_supplier_gets_no_write_rule() -> None:
    plan = plan_access([account("worker", "ingest")], [Binding("s", "worker", "a/#")])
    assert not plan.accounts[0].write
    assert "source 's': supplier 'worker' has no supplier account" in plan.warnings


def test_equally_specific_overlapping_filters_of_two_suppliers_are_denied_to_both() -> None:
    sources = [
        Binding("x", "acme", "v3/+/devices/d1/up"),
        Binding("y", "brugo", "v3/app/devices/+/up"),
    ]
    plan = plan_access([account("acme"), account("brugo")], sources)
    acme, brugo = plan.accounts
    assert [d.topic_filter for d in acme.deny] == ["v3/app/devices/+/up"]
    assert [d.topic_filter for d in brugo.deny] == ["v3/+/devices/d1/up"]
    assert any("'x' and 'y'" in warning for warning in plan.warnings)


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("a/b", "a/b", True),
        ("a/b", "a/c", False),
        ("a/+", "a/c", True),
        ("a/#", "a", True),
        ("a/#", "a/b/c", True),
        ("a/+", "a", False),
        ("a/+/c", "a/b/+", True),
        ("a/+/c", "a/b/d", False),
        ("a/b/c", "a/b", False),
        ("#", "x/y", True),
        ("+/#", "a", True),
        ("+", "a/b", False),
    ],
)
def test_filter_overlap(first: str, second: str, expected: bool) -> None:
    assert filters_overlap(first, second) is expected
    assert filters_overlap(second, first) is expected


OVERLAPPING = [
    Binding("broad", "acme", "v3/#"),
    Binding("ttn", "acme", "v3/+/devices/+/up"),
    Binding("kortrijk", "brugo", "v3/kortrijk/devices/+/up"),
    Binding("one-device", "cityx", "v3/kortrijk/devices/d1/+"),
    Binding("tie-with-ttn", "brugo", "v3/+/+/d1/up"),  # as specific as acme's ttn
    Binding("all-x", "cityx", "v3/x/#"),
    Binding("nobody", None, "v3/leuven/+/+/up"),
]
LEVELS = ["v3", "kortrijk", "x", "leuven", "devices", "d1", "d2", "up", "down"]


def _may_publish(rules_deny: list[str], rules_write: list[str], topic: str) -> bool:
    """Mosquitto 2's check: a matching deny refuses; otherwise a matching grant allows."""
    if any(topic_matches(f, topic) for f in rules_deny):
        return False
    return any(topic_matches(f, topic) for f in rules_write)


def test_no_supplier_may_publish_a_topic_the_worker_gives_to_another_source() -> None:
    """Over every topic of up to five levels: what a supplier may publish is its own."""
    owners = {b.id: b.supplier for b in OVERLAPPING}
    sources = [Source(id=b.id, pilot="p", format="f", topic=b.topic_filter) for b in OVERLAPPING]
    plan = plan_access([account("acme"), account("brugo"), account("cityx")], OVERLAPPING)
    allowed = 0
    for length in range(1, 6):
        for levels in itertools.product(LEVELS, repeat=length):
            topic = "/".join(levels)
            claimed = source_for_topic(sources, topic)
            for rules in plan.accounts:
                deny = [d.topic_filter for d in rules.deny]
                write = [g.topic_filter for g in rules.write]
                if _may_publish(deny, write, topic):
                    allowed += 1
                    assert claimed is not None and owners[claimed.id] == rules.username, topic
    assert allowed > 1000  # the check saw real grants, not an empty plan


# --- files -------------------------------------------------------------------------------


def test_the_password_file_has_one_sorted_line_per_account() -> None:
    text = render_passwords([account("zeta"), account("acme", "ingest")])
    assert text == f"acme:{HASH}\nzeta:{HASH}\n"


def test_a_stored_value_that_is_not_a_mosquitto_hash_is_refused() -> None:
    with pytest.raises(BrokerAccessError, match="rotate its password"):
        render_passwords([Account("acme", "supplier", "plain-text-password")])


def test_the_config_lines_name_the_files_where_the_broker_sees_them() -> None:
    lines = acl_lines(render_conf("/mosquitto/access"))
    assert lines == [
        "allow_anonymous false",
        "password_file /mosquitto/access/passwords",
        "acl_file /mosquitto/access/acl",
    ]


@pytest.mark.parametrize("where", ["relative/dir", "/a\n/b", "/a/b "])
def test_an_unusable_broker_directory_is_refused(where: str) -> None:
    with pytest.raises(BrokerAccessError, match="absolute path"):
        render_conf(where)


def test_files_are_written_atomically_with_a_private_password_file(tmp_path: Path) -> None:
    accounts = [account("acme"), account("ingest", "ingest")]
    files = render_access_files(plan_access(accounts, SOURCES), accounts, "/mosquitto/access")
    target = tmp_path / "access"
    written = write_access_files(files, target)
    assert sorted(p.name for p in written) == sorted([PASSWORD_FILE, ACL_FILE, CONF_FILE])
    assert (target / PASSWORD_FILE).read_text() == files.passwords
    assert (target / PASSWORD_FILE).stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in target.iterdir()) == sorted([PASSWORD_FILE, ACL_FILE, CONF_FILE])
    assert write_access_files(files, target) == []  # unchanged content is not rewritten


def test_a_rewritten_file_keeps_the_mode_an_operator_gave_it(tmp_path: Path) -> None:
    accounts = [account("acme")]
    files = render_access_files(plan_access(accounts, []), accounts, "/mosquitto/access")
    write_access_files(files, tmp_path)
    (tmp_path / PASSWORD_FILE).chmod(0o640)
    rotated = [Account("acme", "supplier", hash_password("new"))]
    files = render_access_files(plan_access(rotated, []), rotated, "/mosquitto/access")
    assert write_access_files(files, tmp_path) == [tmp_path / PASSWORD_FILE]
    assert (tmp_path / PASSWORD_FILE).stat().st_mode & 0o777 == 0o640
    assert (tmp_path / PASSWORD_FILE).read_text() == files.passwords
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left

"""POST /validate at its edges: size limit, broken uploads and files, bad parameters, XSS.

Every refusal is an application/problem+json naming the problem; an unreadable, empty or
truncated *file* is not refused but reported (rule core.unreadable), and nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from core.pilot import Registry
from tests.api.checks import assert_problem
from tests.api.validation import (
    PARKING,
    UPLOAD_LIMIT,
    failed_rules,
    junit,
    report_json,
    row_counts,
    validation_client,
)

HOSTILE_NAME = '"><img src=x onerror=alert(1)>.csv'
HOSTILE_CSV = (
    b"id,name,type,capacity,lon,lat\n"
    b"<script>alert('id')</script>,<b>Zuid</b>,carPark,<script>alert(1)</script>,3.73,51.04\n"
    b"P2,Two,carPark,\x07\x1b bell & </td>]]>&amp;,3.73,51.04\n"
)


@pytest.fixture(scope="module")
def client(seeded_database_url: str, registry: Registry) -> Iterator[TestClient]:
    yield from validation_client(seeded_database_url, registry)


def multipart(boundary: str, *parts: tuple[str, str | None, bytes], end: bool = True) -> bytes:
    body = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (
            f'; filename="{filename}"' if filename is not None else "")
        body += (f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n").encode()
        body += content + b"\r\n"
    return body + (f"--{boundary}--\r\n".encode() if end else b"")


def test_a_file_over_the_limit_is_a_413_problem(client: TestClient) -> None:
    body = b"[" + b" " * UPLOAD_LIMIT + b"]"
    response = client.post("/validate?pilot=parking", files={"file": ("big.json", body)})
    detail = assert_problem(response, 413)["detail"]
    assert f"{UPLOAD_LIMIT:,} bytes" in detail
    raw = client.post("/validate?pilot=parking", content=body)
    assert_problem(raw, 413)


def test_a_streamed_body_is_cut_off_at_the_limit(client: TestClient) -> None:
    """No Content-Length (chunked): reading stops once the limit is passed."""
    sent = []

    def chunks() -> Iterator[bytes]:
        for _ in range(UPLOAD_LIMIT // 1024 * 4):
            sent.append(1024)
            yield b"x" * 1024

    assert_problem(client.post("/validate?pilot=parking", content=chunks()), 413)
    assert_problem(
        client.post("/validate?pilot=parking", content=chunks(),
                    headers={"content-type": "multipart/form-data; boundary=b"}), 413)


def test_a_file_at_the_limit_is_checked(client: TestClient) -> None:
    content = PARKING.joinpath("gent-export.json").read_bytes()
    padded = content + b" " * (UPLOAD_LIMIT - len(content))
    report = report_json(client.post("/validate?pilot=parking",
                                     files={"file": ("gent.json", padded)}))
    assert (report["records"], report["invalid"]) == (2, 0)


@pytest.mark.parametrize(
    ("name", "query", "rule_message"),
    [("gent-truncated.json", "", "the file looks truncated"),
     ("datex2-truncated.xml", "", "truncated XML at line 20"),
     ("truncated.geojson", "", "invalid JSON at line 1"),
     ("gent-wrong-shape.json", "&format=gent-json", "none of the Opendatasoft"),
     ("gent-empty.json", "&format=gent-json", "the file is empty"),
     ("gent-empty.json", "", "the file is empty")],
)
def test_unreadable_files_are_reported_not_refused(
    client: TestClient, name: str, query: str, rule_message: str
) -> None:
    path = PARKING / name
    response = client.post(f"/validate?pilot=parking{query}",
                           files={"file": (name, path.read_bytes())})
    report = report_json(response)
    assert report["invalid"] >= 1
    unreadable = [p for p in report["problems"] if p["rule"] == "core.unreadable"]
    assert len(unreadable) == 1 and unreadable[0]["position"] is None
    assert rule_message in unreadable[0]["message"]
    suite = junit(client.post(f"/validate?pilot=parking{query}&f=junit",
                              files={"file": (name, path.read_bytes())}))[0]
    assert rule_message in (failed_rules(suite)["core.unreadable"].text or "")


def test_a_truncated_datex_status_keeps_what_was_read_before_the_damage(
    client: TestClient,
) -> None:
    """Two status records, cut inside the second: the first is checked, the rest unreadable."""
    content = PARKING.joinpath("datex2-v3-status.xml").read_bytes()
    start = content.index(b"<prk:parkingRecordStatus ")
    end = content.index(b"</prk:parkingRecordStatus>") + len(b"</prk:parkingRecordStatus>")
    record = content[start:end]
    doubled = content[:end] + record + content[end:]
    cut = doubled[: end + len(record) // 2]
    report = report_json(client.post("/validate?pilot=parking&format=datex2&source=mechelen",
                                     files={"file": ("status.xml", cut)}))
    assert (report["records"], report["valid"], report["invalid"]) == (2, 1, 1)
    assert [(p["rule"], p["position"]) for p in report["problems"]] == [
        ("core.unreadable", None)]


def test_a_wrong_type_of_file_is_reported_when_its_format_is_named(client: TestClient) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    for fmt in ("gent-json", "datex2", "csv", "geojson"):
        response = client.post(f"/validate?pilot=parking&format={fmt}",
                               files={"file": ("photo.png", png)})
        report = report_json(response)
        assert report["invalid"] >= 1 and report["format"] == fmt, report


def test_a_file_of_no_known_format_is_a_400_naming_format(client: TestClient) -> None:
    response = client.post("/validate?pilot=parking", files={"file": ("notes.txt", b"hello\n")})
    body = assert_problem(response, 400, "format")
    assert "cannot tell the format of 'notes.txt'" in body["detail"]
    assert "--format" not in body["detail"]


@pytest.mark.parametrize(
    ("query", "parameter", "words"),
    [("pilot=noise", "pilot", "unknown pilot 'noise'"),
     ("pilot=parking&format=xlsx", "format", "pilot 'parking' has no format 'xlsx'"),
     ("", "pilot", "name the pilot"),
     ("pilot=parking&f=pdf", "f", "'pdf' is not one of json, html, junit"),
     ("pilot=parking&pilot=crowding", "pilot", "given more than once"),
     ("pilot=parking&colour=red", "colour", "unknown parameter")],
)
def test_bad_parameters_are_400_problems_naming_them(
    client: TestClient, query: str, parameter: str, words: str
) -> None:
    response = client.post(f"/validate?{query}", files={"file": ("a.json", b"[]")})
    assert words in assert_problem(response, 400, parameter)["detail"]


def test_form_fields_carry_the_parameters_of_the_html_form(client: TestClient) -> None:
    content = PARKING.joinpath("gent-nonnumeric-capacity.json").read_bytes()
    response = client.post("/validate?f=html", files={"file": ("g.json", content)},
                           data={"pilot": "parking", "format": "gent-json", "crs": ""})
    assert response.status_code == 200 and "<strong>Invalid</strong>" in response.text
    conflict = client.post("/validate?pilot=crowding", files={"file": ("g.json", content)},
                           data={"pilot": "parking"})
    assert "the query says 'crowding', the form says 'parking'" in assert_problem(
        conflict, 400, "pilot")["detail"]
    unknown = client.post("/validate", files={"file": ("g.json", content)},
                          data={"pilot": "parking", "format": "telraam"})
    assert_problem(unknown, 400, "format")


@pytest.mark.parametrize(
    ("body", "words"),
    [(multipart("b", ("pilot", None, b"parking")), "no part named 'file'"),
     (multipart("b", ("file", "a.json", b"[]"), end=False), "ends before its closing boundary"),
     (multipart("b", ("file", "a.json", b"[]"), ("file", "b.json", b"[]")), "one file per"),
     (multipart("b", ("upload", "a.json", b"[]")), "part named 'file', not 'upload'"),
     (multipart("b", ("file", "a.json", b"[]"), ("notes", None, b"n" * 2000)), "too long")],
)
def test_broken_multipart_bodies_are_400_problems(
    client: TestClient, body: bytes, words: str
) -> None:
    response = client.post("/validate?pilot=parking", content=body,
                           headers={"content-type": "multipart/form-data; boundary=b"})
    assert words in assert_problem(response, 400)["detail"]


def test_no_boundary_is_a_400_problem(client: TestClient) -> None:
    response = client.post("/validate?pilot=parking", content=b"x",
                           headers={"content-type": "multipart/form-data"})
    assert "no boundary" in assert_problem(response, 400, "file")["detail"]


def test_hostile_input_is_escaped_in_the_html_report(client: TestClient) -> None:
    response = client.post("/validate?pilot=parking&format=csv&f=html",
                           files={"file": (HOSTILE_NAME, HOSTILE_CSV)})
    assert response.status_code == 200, response.text
    page = response.text
    assert "<script" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;.csv" in page
    assert "bell &amp; &lt;/td&gt;]]&gt;&amp;amp;" in page
    tree = etree.fromstring(page.encode(), etree.HTMLParser())
    assert not tree.xpath("//script | //img | //*[@onerror]")
    assert tree.xpath("count(//table)") >= 1


def test_hostile_input_keeps_the_junit_xml_well_formed(client: TestClient) -> None:
    response = client.post("/validate?pilot=parking&format=csv&f=junit",
                           files={"file": (HOSTILE_NAME, HOSTILE_CSV)})
    suite = junit(response)[0]
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert (properties["file"] or "").endswith("><img src=x onerror=alert(1)>.csv")
    text = "".join(failure.text or "" for failure in failed_rules(suite).values())
    assert "<script>alert(1)</script>" in text  # kept as text, escaped in the XML
    assert "\ufffd\ufffd bell & </td>]]>&amp;" in text  # controls XML cannot hold replaced


def test_a_path_in_the_file_name_does_not_escape_the_temporary_directory(
    client: TestClient,
) -> None:
    content = PARKING.joinpath("gent-export.json").read_bytes()
    for name in ("../../etc/passwd.json", "..\\..\\win.json", "\r\nX-Injected: 1.json", ""):
        report = report_json(client.post("/validate?pilot=parking&format=gent-json",
                                         files={"file": (name, content)}))
        assert "/" not in report["file"] and "\\" not in report["file"]
        assert "\n" not in report["file"] and not report["file"].startswith(".")


def test_refusals_write_nothing(
    client: TestClient, seeded_database_url: str, registry: Registry
) -> None:
    before = row_counts(seeded_database_url, registry)
    client.post("/validate?pilot=parking", content=b"x" * (UPLOAD_LIMIT + 1))
    client.post("/validate?pilot=parking&format=csv", files={"file": (HOSTILE_NAME, HOSTILE_CSV)})
    client.post("/validate?pilot=parking", files={"file": ("t.json", b'[{"name": "')})
    assert row_counts(seeded_database_url, registry) == before


def test_the_upload_form_lists_every_pilot_and_format(
    client: TestClient, registry: Registry
) -> None:
    response = client.get("/validate")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    tree = etree.fromstring(response.content, etree.HTMLParser())
    assert not tree.xpath("//script | //link | //img | //*[@src]")
    (form,) = tree.xpath("//form")
    assert (form.get("method"), form.get("enctype")) == ("post", "multipart/form-data")
    for control in form.xpath(".//input | .//select"):
        assert tree.xpath(f"count(//label[@for='{control.get('id')}'])") == 1, control.get("id")
    assert form.xpath(".//input[@type='file']/@name") == ["file"]
    assert form.xpath(".//select[@name='pilot']/option/@value") == list(registry.ids)
    formats = form.xpath(".//select[@name='format']//option/@value")
    assert formats[0] == ""  # automatic detection
    assert sorted(formats[1:]) == sorted(
        fmt for pilot in registry for fmt in pilot.adapters)
    assert form.xpath(".//button[@type='submit']")


def test_openapi_documents_the_upload_in_openapi_3_0_form(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/validate"]["post"]
    content = operation["requestBody"]["content"]
    assert content["multipart/form-data"]["schema"]["properties"]["file"] == {
        "type": "string", "format": "binary"}
    assert content["application/octet-stream"]["schema"]["format"] == "binary"
    assert {"200", "400", "413"} <= set(operation["responses"])
    assert {p["name"] for p in operation["parameters"]} >= {"pilot", "format", "f"}

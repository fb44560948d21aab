"""The web interface in headless Chromium against a live server with the demo data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait

from core.pilot import Registry
from tests.web.browser import LiveServer
from tests.web.data import BrowserData, store_observation

pytestmark = pytest.mark.usefixtures("screenshot")
Site = tuple[LiveServer, BrowserData]
T = TypeVar("T")


def wait_for(driver: webdriver.Chrome, found: Callable[[webdriver.Chrome], T], what: str) -> T:
    try:
        return WebDriverWait(driver, 20).until(found)
    except TimeoutException:
        logs = driver.get_log("browser")
        raise AssertionError(f"timed out waiting for {what}; browser console: {logs}") from None


def open_map(driver: webdriver.Chrome, site: Site, view: str = "") -> None:
    server, _ = site
    driver.get(f"{server.url}/web/map?lang=en{view}")
    wait_for(driver, lambda d: d.find_element(By.ID, "map").get_attribute("data-ready"), "map")


def features(driver: webdriver.Chrome, layer: str) -> list[WebElement]:
    return driver.find_elements(By.CSS_SELECTOR, f'#map path[data-layer="{layer}"]')


def test_the_map_renders_features_of_every_pilot(
    chromium: webdriver.Chrome, live_site: Site
) -> None:
    open_map(chromium, live_site)
    counts = {layer: len(features(chromium, layer)) for layer in
              ("parking", "bays", "crowding", "buildings")}  # fmt: skip
    assert counts == {"parking": 6, "bays": 4, "crowding": 4, "buildings": 5}
    states = {path.get_attribute("data-category") for path in features(chromium, "bays")}
    assert states == {"free", "occupied"}
    assert chromium.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    # offline: the tiles fail, the features stay on a plain background and the page says so
    status = wait_for(chromium, lambda d: d.find_element(By.ID, "tile-status").text, "tiles")
    assert "base map cannot be loaded" in status
    assert "no-tiles" in (chromium.find_element(By.ID, "map").get_attribute("class") or "")


def test_clicking_a_parking_site_shows_its_day_of_occupancy(
    chromium: webdriver.Chrome, live_site: Site
) -> None:
    open_map(chromium, live_site, "&center=51.0546,3.7189&zoom=17")  # the car park, up close
    _, data = live_site
    site = chromium.find_element(By.CSS_SELECTOR, f'#map path[data-id="{data.site_id}"]')
    site.click()
    line = wait_for(
        chromium,
        lambda d: d.find_element(By.CSS_SELECTOR, "#parking-chart svg.chart path.occupancy"),
        "the occupancy chart",
    )
    assert line.get_attribute("d").count("L") == 24  # 25 observations: 24 hours + the latest
    details = chromium.find_element(By.ID, "details").text
    assert "P07 Sint-Michiels" in details and "Occupancy" in details


def test_a_feature_opens_from_the_keyboard(chromium: webdriver.Chrome, live_site: Site) -> None:
    open_map(chromium, live_site)
    building = features(chromium, "buildings")[0]
    chromium.execute_script("arguments[0].focus()", building)
    building.send_keys(Keys.ENTER)
    table = wait_for(
        chromium, lambda d: d.find_element(By.CSS_SELECTOR, "#details table.criteria"), "criteria"
    )
    assert table.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert chromium.switch_to.active_element.get_attribute("id") == "details"


def test_the_time_slider_changes_crowding_colours(
    chromium: webdriver.Chrome, live_site: Site
) -> None:
    open_map(chromium, live_site)
    slider = chromium.find_element(By.ID, "crowding-time")
    wait_for(chromium, lambda d: slider.is_enabled(), "the slider")

    def colours() -> dict[str, tuple[str | None, str | None]]:
        return {
            str(path.get_attribute("data-id")): (
                path.get_attribute("data-category"),
                path.get_attribute("fill"),
            )
            for path in features(chromium, "crowding")
        }

    late_evening = colours()  # the newest hour: 23:00 UTC, calm everywhere
    assert {category for category, _ in late_evening.values()} <= {"calm", "none"}
    slider.send_keys(*[Keys.ARROW_LEFT] * 10)  # 13:00 UTC, midday
    midday = colours()
    assert "busy" in {category for category, _ in midday.values()}
    changed = [key for key in midday if midday[key] != late_evening[key]]
    assert changed, "no crowding location changed colour"
    assert chromium.find_element(By.ID, "crowding-time-value").text
    assert slider.get_attribute("aria-valuetext")
    path = chromium.find_element(By.CSS_SELECTOR, f'#map path[data-id="{changed[0]}"]')
    chromium.execute_script("arguments[0].focus()", path)
    path.send_keys(Keys.ENTER)
    bars = wait_for(
        chromium,
        lambda d: d.find_elements(By.CSS_SELECTOR, "#details svg.chart rect[data-level]"),
        "the crowding chart",
    )
    assert len(bars) == 73  # three days of hours and the newest one


def test_the_validation_page_reports_a_bad_file_by_rule(
    chromium: webdriver.Chrome, live_site: Site, tmp_path: Path
) -> None:
    server, _ = live_site
    bad = tmp_path / "bezetting.json"
    bad.write_text(
        '[{"id": "x1", "name": "A", "location": {"lon": 3.7, "lat": 51.05},'
        ' "availablecapacity": 900, "totalcapacity": 100,'
        ' "lastupdate": "2026-11-20T10:00:00+01:00"}]',
        encoding="utf-8",
    )
    chromium.get(f"{server.url}/web/supplier?lang=en")
    Select(chromium.find_element(By.ID, "pilot")).select_by_value("parking")
    Select(chromium.find_element(By.ID, "format")).select_by_value("gent-json")
    chromium.find_element(By.ID, "file").send_keys(str(bad))
    chromium.find_element(By.CSS_SELECTOR, "#validate-form button[type=submit]").click()
    verdict = wait_for(chromium, lambda d: d.find_element(By.ID, "verdict"), "the report")
    assert verdict.text == "Not all records are valid."
    rule = chromium.find_element(
        By.CSS_SELECTOR, 'section[data-rule="parking.vacant-within-capacity"]'
    )
    assert "vacant spaces (900) exceed the capacity (100)" in rule.text
    assert chromium.find_element(By.ID, "download-junit").is_displayed()


def test_the_dashboard_shows_health_and_links_to_the_quarantine(
    chromium: webdriver.Chrome, live_site: Site
) -> None:
    server, data = live_site
    chromium.get(f"{server.url}/web/dashboard?lang=en&city=gent")
    card = wait_for(
        chromium,
        lambda d: d.find_element(By.CSS_SELECTOR, f'article[data-source="{data.bay_source}"]'),
        "the source's card",
    )
    assert card.find_element(By.CSS_SELECTOR, "svg.chart rect.bar.records")
    assert "core.codelist" in card.text
    card.find_element(By.PARTIAL_LINK_TEXT, "Browse quarantine").click()
    key = wait_for(chromium, lambda d: d.find_element(By.ID, "api-key"), "the key form")
    key.send_keys(data.admin_key, Keys.ENTER)
    record = wait_for(
        chromium, lambda d: d.find_element(By.CSS_SELECTOR, "article[data-record]"), "a record"
    )
    assert "core.codelist" in record.text
    stored = chromium.execute_script("return sessionStorage.getItem('stadspuls-api-key')")
    assert stored == data.admin_key


def test_every_control_is_labelled_on_every_page(
    chromium: webdriver.Chrome, live_site: Site
) -> None:
    server, _ = live_site
    for page in ("map", "dashboard", "supplier", "quarantine?source=gent-bays&"):
        separator = "" if page.endswith("&") else "?"
        chromium.get(f"{server.url}/web/{page}{separator}lang=nl")
        assert chromium.find_element(By.TAG_NAME, "html").get_attribute("lang") == "nl"
        unlabelled = chromium.execute_script(
            "return [...document.querySelectorAll('input, select, textarea')]"
            ".filter(c => c.type !== 'hidden' && !c.labels.length && !c.getAttribute('aria-label'))"
            ".map(c => c.id || c.name)"
        )
        assert unlabelled == [], page


def test_parking_refreshes_live(
    chromium: webdriver.Chrome, live_site: Site, registry: Registry, tmp_path: Path
) -> None:
    open_map(chromium, live_site)
    selector = '#map path[data-id="mechelen:MEC-GRAANMARKT"]'
    site = chromium.find_element(By.CSS_SELECTOR, selector)
    assert site.get_attribute("data-category") == "almostFull"  # 85 %, reported almost full
    _, data = live_site
    full = {"entity": "observation", "site": "MEC-GRAANMARKT",
            "observed_at": "2026-11-20T09:45:00Z", "capacity": 300, "vacant": 0}  # fmt: skip
    store_observation(data, registry, tmp_path, full, "mechelen")
    wait_for(
        chromium,
        lambda d: (
            d.find_element(By.CSS_SELECTOR, selector).get_attribute("data-category") == "full"
        ),
        "the next refresh",
    )
    assert chromium.find_element(By.ID, "updated").text.startswith("Updated at")


def test_pasted_content_is_checked_too(chromium: webdriver.Chrome, live_site: Site) -> None:
    server, _ = live_site
    chromium.get(f"{server.url}/web/supplier?lang=nl")
    Select(chromium.find_element(By.ID, "pilot")).select_by_value("parking")
    pasted = '{"entity": "observation", "site": "x", "observed_at": "2026-11-20T10:00:00"}'
    chromium.find_element(By.ID, "paste").send_keys(pasted)
    filename = chromium.find_element(By.ID, "filename")
    filename.clear()
    filename.send_keys("feed.jsonl")
    Select(chromium.find_element(By.ID, "format")).select_by_value("json")
    chromium.find_element(By.CSS_SELECTOR, "#validate-form button[type=submit]").click()
    verdict = wait_for(chromium, lambda d: d.find_element(By.ID, "verdict"), "the report")
    assert verdict.text == "Niet alle records zijn geldig."
    assert chromium.find_element(By.CSS_SELECTOR, 'section[data-rule="core.timezone"]')

#!/usr/bin/env python3
"""Browser test of the admin web UI, against a running gateway.

    python3 Tests/ui/ui_test.py --gateway http://127.0.0.1:PORT --master-key KEY --screenshots DIR

Needs selenium (PyPI) and Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver).
The gateway must serve model "chat" (Tests/ui/run.sh starts one against an upstream double) and may run with a
very short session lifetime (run.sh uses ui.session_ttl_seconds: 3): every step signs in afresh, and a step whose
session ends under it signs in again and runs once more. Exits 0 when every check passed, 1 with a message naming
the failed check otherwise.
"""

import os

os.environ["SE_OFFLINE"] = "true"  # before selenium is imported: Selenium Manager must not reach out for drivers

import argparse
import json
import sys
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

try:
    from selenium import webdriver
    from selenium.common.exceptions import (NoAlertPresentException, NoSuchElementException, StaleElementReferenceException,
                                            TimeoutException, WebDriverException)
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:
    sys.stderr.write("ui_test: selenium is not installed (pip install selenium)\n")
    sys.exit(2)

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
KEY_NAME = "ui-test-key"
IGNORED = (NoSuchElementException, StaleElementReferenceException)


class Failure(Exception):
    """A check that did not hold."""


class SessionEnded(Exception):
    """The UI went back to sign-in in the middle of a step (the session's lifetime ran out)."""


def log(message):
    print("ui_test: " + message, flush=True)


class UITest:
    def __init__(self, driver, base, master_key, screenshots):
        self.driver = driver
        self.base = base
        self.master_key = master_key
        self.screenshots = screenshots
        self.console = []

    # ------------------------------------------------------------ helpers

    def url(self, path):
        return self.base + path

    def path(self):
        return urllib.parse.urlsplit(self.driver.current_url).path

    def at_login(self):
        return self.path() == "/ui/login"

    def wait(self, condition, timeout, what, watch_session=True):
        """Waits for `condition`; raises SessionEnded when the UI went to sign-in meanwhile, Failure on timeout."""
        def check(driver):
            if watch_session and self.at_login():
                raise SessionEnded(what)
            return condition(driver)
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.15, ignored_exceptions=IGNORED).until(check)
        except TimeoutException:
            raise Failure("timed out after %ss waiting for %s (at %s)" % (timeout, what, self.driver.current_url))

    def visible(self, by, selector):
        def found(driver):
            element = driver.find_element(by, selector)
            return element if element.is_displayed() else False
        return found

    def shot(self, name):
        path = os.path.join(self.screenshots, name)
        if not self.driver.save_screenshot(path):
            raise Failure("could not save the screenshot " + path)
        log("saved " + path)

    def collect_console(self):
        try:
            self.console.extend(self.driver.get_log("browser"))
        except WebDriverException:
            pass

    def check_same_origin(self, where):
        names = self.driver.execute_script("return performance.getEntriesByType('resource').map(function (e) { return e.name; });")
        here = self.driver.execute_script("return location.href;")
        foreign = [name for name in names + [here] if not name.startswith(self.base + "/")]
        if foreign:
            raise Failure("%s requested something from another host: %s" % (where, ", ".join(foreign)))
        log("%s: %d resources, all from the gateway" % (where, len(names)))

    def fetch(self, path, options):
        """Runs fetch() in the page; returns {status, body}."""
        script = """
            const done = arguments[arguments.length - 1];
            fetch(arguments[0], arguments[1]).then(
              r => r.text().then(t => done({status: r.status, body: t})),
              e => done({status: -1, body: String(e)}));
        """
        return self.driver.execute_async_script(script, path, options)

    def sign_in(self, key, expect_ok=True):
        """Opens the sign-in page and posts `key`; waits for the app (or the error)."""
        self.driver.get(self.url("/ui/login"))
        self.wait(EC.presence_of_element_located((By.ID, "key")), 10, "the sign-in form", watch_session=False)
        field = self.driver.find_element(By.ID, "key")
        field.clear()
        field.send_keys(key)
        self.driver.find_element(By.ID, "login").click()
        if expect_ok:
            self.wait(lambda d: self.path() == "/ui/" and d.find_elements(By.CSS_SELECTOR, "#view section.page"), 10,
                      "the app after signing in", watch_session=False)
        else:
            return self.wait(self.visible(By.ID, "login-error"), 10, "the sign-in error message", watch_session=False)

    def go(self, route, root_id):
        """Follows the nav link for `route` and waits for the page's root element."""
        link = self.wait(EC.element_to_be_clickable((By.CSS_SELECTOR, ".nav a[data-route='%s']" % route)), 10, "the nav link to " + route)
        link.click()
        return self.wait(EC.presence_of_element_located((By.ID, root_id)), 10, "#" + root_id)

    def step(self, name, action, tries=4):
        """Signs in afresh and runs `action`; once more (up to `tries`) if the session ended during it."""
        for attempt in range(1, tries + 1):
            self.sign_in(self.master_key)
            try:
                result = action()
                log("ok: " + name)
                return result
            except SessionEnded as ended:
                log("%s: the session ended while waiting for %s; signing in again (try %d of %d)" % (name, ended, attempt, tries))
        raise Failure("%s: the session kept ending before the step could finish" % name)

    # ------------------------------------------------------------ checks

    def check_login(self):
        self.driver.get(self.url("/ui/"))
        self.wait(lambda d: self.at_login() and d.find_elements(By.ID, "key"), 10, "the redirect from /ui/ to the sign-in page", watch_session=False)
        log("ok: /ui/ without a session goes to " + self.driver.current_url)
        if self.driver.find_element(By.ID, "login-error").is_displayed():
            raise Failure("the sign-in error is shown before any attempt")
        self.check_same_origin("the sign-in page")
        error = self.sign_in("sk-not-the-master-key", expect_ok=False)
        if not error.text.strip():
            raise Failure("the sign-in error is empty")
        log("ok: a wrong key shows %r" % error.text.strip())
        self.sign_in(self.master_key)
        self.wait(EC.presence_of_element_located((By.ID, "page-dashboard")), 10, "the dashboard after signing in")
        self.check_same_origin("the dashboard")
        log("ok: signed in with the master key")

    def create_key(self):
        def action():
            self.go("keys", "page-keys")
            self.wait(lambda d: d.find_element(By.ID, "key-name").is_enabled(), 10, "the create-key form")
            self.wait(lambda d: "Loading" not in d.find_element(By.ID, "keys-table").text, 10, "the keys table")
            existing = self.driver.find_elements(By.CSS_SELECTOR, "#keys-table tr[data-name='%s']" % KEY_NAME)
            if existing:
                # A previous try made the key but its session ended before the secret was read: rotate it instead.
                existing[0].find_element(By.CSS_SELECTOR, "button[data-action='rotate']").click()
                self.wait(EC.alert_is_present(), 5, "the rotate confirmation").accept()
            else:
                name = self.driver.find_element(By.ID, "key-name")
                name.clear()
                name.send_keys(KEY_NAME)
                self.driver.find_element(By.ID, "key-models").send_keys("chat")
                self.driver.find_element(By.ID, "key-rpm").send_keys("600")
                self.driver.find_element(By.ID, "key-max-budget").send_keys("5")
                Select(self.driver.find_element(By.ID, "key-budget-period")).select_by_value("daily")
                self.driver.find_element(By.ID, "create-key-submit").click()
            secret = self.wait(lambda d: d.find_element(By.ID, "new-secret").text.strip() or False, 10, "the new key's secret in #new-secret")
            self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#keys-table tr[data-name='%s']" % KEY_NAME), 10, "the new key in the keys table")
            panel = self.driver.find_element(By.ID, "secret-panel").text.lower()
            if "not be shown again" not in panel:
                raise Failure("the secret panel does not say the secret will not be shown again")
            self.driver.find_element(By.ID, "copy-secret")
            self.shot("keys.png")
            return secret

        secret = self.step("create the key %r and read its secret" % KEY_NAME, action)
        if not secret.startswith("sk-"):
            raise Failure("the shown secret does not look like a key: %r" % secret[:12])
        log("ok: got a secret starting %s…" % secret[:10])
        return secret

    def chat(self, secret, count=3):
        request_ids = []
        for index in range(count):
            body = json.dumps({"model": "chat", "messages": [{"role": "user", "content": "hi"}]}).encode()
            request = urllib.request.Request(self.url("/v1/chat/completions"), data=body, method="POST",
                                             headers={"content-type": "application/json", "authorization": "Bearer " + secret})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    answer = json.loads(response.read())
                    request_ids.append(response.headers.get("x-request-id"))
            except urllib.error.HTTPError as error:
                raise Failure("chat request %d with the new key answered %d: %s" % (index + 1, error.code, error.read()[:300]))
            if not answer.get("choices"):
                raise Failure("chat request %d answered without choices: %r" % (index + 1, answer))
        log("ok: %d chat requests with the new key (request ids %s)" % (count, ", ".join(str(r) for r in request_ids)))
        return request_ids

    def find_logs(self, request_ids, timeout=15):
        wanted = set(r for r in request_ids if r)
        deadline = time.time() + timeout
        found = {}

        def our_rows(driver):
            rows = driver.find_elements(By.CSS_SELECTOR, "#log-table tr.log-row")
            ids = [row.get_attribute("data-request-id") for row in rows]
            if wanted and wanted.issubset(ids):
                return ids
            if not wanted and len(ids) >= len(request_ids):
                return ids
            if time.time() - found.get("clicked", 0) > 1.0:
                driver.find_element(By.ID, "log-refresh").click()
                found["clicked"] = time.time()
            return False

        def action():
            self.go("logs", "page-logs")
            model = self.driver.find_element(By.ID, "log-model")
            model.clear()
            model.send_keys("chat")
            self.driver.find_element(By.ID, "log-refresh").click()
            found["clicked"] = time.time()
            remaining = max(1, deadline - time.time())
            ids = self.wait(our_rows, remaining, "the %d chat requests in the request log" % len(request_ids))
            self.check_same_origin("the request log")
            self.shot("logs.png")
            return ids

        ids = self.step("the requests appear in the log explorer", action, tries=12)
        log("ok: the log table shows %d rows including ours" % len(ids))
        return [r for r in request_ids if r] or ids

    def open_detail(self, request_id):
        def action():
            self.go("logs", "page-logs")
            selector = "#log-table tr.log-row[data-request-id='%s']" % request_id.replace("'", "\\'")
            row = self.wait(EC.presence_of_element_located((By.CSS_SELECTOR, selector)), 10, "the row of request " + request_id)
            # Click the row itself (not its link): the whole row opens the detail.
            row.find_elements(By.TAG_NAME, "td")[0].click()
            self.wait(EC.presence_of_element_located((By.ID, "page-log-detail")), 10, "the request's detail page")
            status = self.wait(lambda d: d.find_element(By.CSS_SELECTOR, "#page-log-detail dd[data-field='status']").text.strip() or False, 10,
                               "the status in the detail")
            model = self.driver.find_element(By.CSS_SELECTOR, "#page-log-detail dd[data-field='model']").text.strip()
            shown_id = self.driver.find_element(By.CSS_SELECTOR, "#page-log-detail dd[data-field='request_id']").text.strip()
            return status, model, shown_id

        status, model, shown_id = self.step("open the detail of request " + request_id, action)
        if status != "200":
            raise Failure("the detail shows status %r, expected 200" % status)
        if model != "chat":
            raise Failure("the detail shows model %r, expected chat" % model)
        if shown_id != request_id:
            raise Failure("the detail shows request id %r, expected %r" % (shown_id, request_id))
        log("ok: the detail shows status 200 and model chat")

    def dashboard(self):
        def marks(driver):
            count = driver.execute_script("return document.querySelectorAll('svg.chart[data-chart=\"requests\"] .mark').length;")
            updated = driver.find_element(By.ID, "dashboard-updated").text.strip()
            if count > 0 and updated:
                return count
            if time.time() - state.get("clicked", 0) > 2.0 and driver.find_element(By.ID, "dashboard-refresh").is_enabled():
                driver.find_element(By.ID, "dashboard-refresh").click()
                state["clicked"] = time.time()
            return False

        state = {}
        deadline = time.time() + 30

        def action():
            self.go("dashboard", "page-dashboard")
            Select(self.driver.find_element(By.ID, "range")).select_by_value("hour")
            state["clicked"] = time.time()
            count = self.wait(marks, max(1, deadline - time.time()), "marks in the requests chart")
            self.shot("dashboard.png")
            self.check_same_origin("the dashboard")
            for name in ("requests", "latency", "tokens", "spend", "cache", "top-keys", "top-teams"):
                if not self.driver.find_elements(By.CSS_SELECTOR, "svg.chart[data-chart='%s']" % name):
                    raise Failure("the dashboard has no chart %r" % name)
            if not self.driver.find_elements(By.ID, "budgets"):
                raise Failure("the dashboard has no budgets table")
            return count

        count = self.step("the dashboard's requests chart shows the requests (range hour)", action, tries=12)
        log("ok: the requests chart has %d marks" % count)

    def narrow(self):
        def action():
            self.driver.set_window_size(375, 800)
            try:
                self.go("keys", "page-keys")
                self.wait(lambda d: "Loading" not in d.find_element(By.ID, "keys-table").text, 10, "the keys table")
                width = self.driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth];")
                if width[0] > width[1] + 1:
                    raise Failure("at %dpx wide the keys page is %dpx wide: something does not wrap or scroll" % (width[1], width[0]))
                self.shot("keys-narrow.png")
            finally:
                self.driver.set_window_size(1280, 1000)
        self.step("the keys page fits a 375px-wide window", action)

    def csrf(self):
        def action():
            refused = self.fetch("/admin/keys", {"method": "POST", "credentials": "same-origin", "body": "{}"})
            if refused["status"] != 403:
                raise Failure("a POST to /admin/keys without x-csrf-token answered %s, expected 403: %s" % (refused["status"], refused["body"][:200]))
            if self.at_login():
                raise SessionEnded("the CSRF check")
            return refused

        self.step("a mutating fetch without x-csrf-token is refused with 403", action)

    def session_cookie(self):
        cookies = [c for c in self.driver.get_cookies() if "session" in c.get("name", "")] or \
            [c for c in self.driver.get_cookies() if c.get("httpOnly") and c.get("path") == "/"]
        if not cookies:
            raise Failure("no session cookie after signing in (cookies: %s)" % [c.get("name") for c in self.driver.get_cookies()])
        cookie = cookies[0]
        if not cookie.get("httpOnly"):
            raise Failure("the session cookie %s is not HttpOnly" % cookie["name"])
        return cookie

    def session_status(self, cookie):
        """GET /ui/session outside the browser with `cookie`: its status."""
        request = urllib.request.Request(self.url("/ui/session"), headers={"cookie": "%s=%s" % (cookie["name"], cookie["value"])})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def logout(self):
        def action():
            cookie = self.session_cookie()
            if self.session_status(cookie) != 200:
                raise SessionEnded("a live session before logging out")
            self.wait(EC.element_to_be_clickable((By.ID, "logout")), 10, "the log-out button").click()
            self.wait(lambda d: self.at_login(), 10, "the sign-in page after logging out", watch_session=False)
            status = self.session_status(cookie)
            if status != 401:
                raise Failure("after logging out, the old session cookie still gets %s from /ui/session (expected 401)" % status)
            return True

        self.step("log out", action)
        self.driver.get(self.url("/ui/"))
        self.wait(lambda d: self.at_login() and d.find_elements(By.ID, "key"), 10, "the sign-in page at /ui/ after logging out", watch_session=False)
        log("ok: after logging out /ui/ goes to the sign-in page")

    def expiry(self, ttl_wait=4):
        self.sign_in(self.master_key)
        log("signed in; sleeping %d s for the session to expire" % ttl_wait)
        time.sleep(ttl_wait)  # the one fixed sleep: the session lifetime itself
        self.driver.refresh()
        self.wait(lambda d: self.at_login() and d.find_elements(By.ID, "key"), 10, "the sign-in page after the session expired", watch_session=False)
        gone = self.fetch("/ui/session", {"credentials": "same-origin"})
        if gone["status"] != 401:
            raise Failure("GET /ui/session after expiry answered %s, expected 401" % gone["status"])
        log("ok: an expired session goes back to sign-in, and /ui/session answers 401")

    def console_problems(self):
        self.collect_console()
        problems = [entry.get("message", "") for entry in self.console
                    if "Content Security Policy" in entry.get("message", "") or "Refused to" in entry.get("message", "")
                    or "Uncaught" in entry.get("message", "")]
        if problems:
            raise Failure("the browser console reported:\n  " + "\n  ".join(problems))
        log("ok: no CSP violation or uncaught error in the browser console")

    def run(self, expiry_seconds=0):
        self.check_login()
        secret = self.create_key()
        request_ids = self.chat(secret)
        ids = self.find_logs(request_ids)
        self.open_detail(ids[0])
        self.dashboard()
        self.narrow()
        self.csrf()
        self.collect_console()
        self.logout()
        if expiry_seconds:
            self.expiry(ttl_wait=expiry_seconds)
        self.console_problems()


def make_driver():
    options = Options()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000",
                     "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--lang=en-US"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.unhandled_prompt_behavior = "ignore"
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


def main():
    parser = argparse.ArgumentParser(description="Browser test of the Switchyard admin UI.")
    parser.add_argument("--gateway", required=True, help="the gateway's base URL, e.g. http://127.0.0.1:8080")
    parser.add_argument("--master-key", required=True)
    parser.add_argument("--screenshots", default="ui-screenshots")
    parser.add_argument("--expiry-seconds", type=int, default=0,
                        help="with sessions this short-lived, also check that a session expires after this many seconds (0: skip)")
    args = parser.parse_args()
    os.makedirs(args.screenshots, exist_ok=True)
    base = args.gateway.rstrip("/")
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.path.exists(path):
            print("ui_test: FAILED: %s is missing (apt-get install chromium chromium-driver)" % path, file=sys.stderr)
            return 1
    try:
        driver = make_driver()
    except WebDriverException as error:
        print("ui_test: FAILED: could not start chromium through chromedriver: %s" % error, file=sys.stderr)
        return 1
    test = UITest(driver, base, args.master_key, os.path.abspath(args.screenshots))
    started = time.time()
    try:
        test.run(expiry_seconds=args.expiry_seconds)
    except (Failure, SessionEnded, WebDriverException) as error:
        print("ui_test: FAILED: %s: %s" % (type(error).__name__, error), file=sys.stderr)
        if not isinstance(error, Failure):
            traceback.print_exc()
        try:
            driver.save_screenshot(os.path.join(test.screenshots, "failure.png"))
            print("ui_test: the page at failure (%s) is in %s" % (driver.current_url, os.path.join(test.screenshots, "failure.png")), file=sys.stderr)
            test.collect_console()
            for entry in test.console[-20:]:
                print("ui_test: console: %s" % entry.get("message", ""), file=sys.stderr)
        except WebDriverException:
            pass
        return 1
    finally:
        driver.quit()
    print("ui_test: all checks passed in %.1f s" % (time.time() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())

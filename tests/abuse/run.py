#!/usr/bin/env python3
"""Bounded abuse of a live `riuso serve` on loopback (`make test-abuse`).

Starts the server on a temporary SQLite catalog, then runs each attack while a prober asks
/healthz every 200 ms, and checks after each one that:

- /healthz always answered, each time within 1 s;
- the server's peak memory (VmHWM of its process, from /proc) stays under the ceiling.

The attacks: a flood of password-reset requests with the CSRF double-submit cookie, of posts of
a new password to reset links that do not exist (checked before any hash) and of sign-ins of
unknown addresses (a decoy hash each, a few at a time); the search
page with repeated filters (the 59 KB address of a thousand values, and the most the caps let
through); 1 MB pastes to the validator page and the validation API; 300 half-open connections.

Python 3 standard library only. Usage:
    tests/abuse/run.py --riuso target/debug/riuso [--port 18083] [--ceiling-mib 256]
"""

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

HOST = "127.0.0.1"


def peak_rss_mib(pid):
    """VmHWM of `pid`, in MiB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/<pid>/status")


def request(port, method, path, body=None, headers=None, timeout=60):
    """One request on a fresh connection: (status, headers, body)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


class Prober(threading.Thread):
    """Asks /healthz every 200 ms; records the slowest answer and any failure."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.stop = threading.Event()
        self.slowest = 0.0
        self.failures = []
        self.count = 0

    def run(self):
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                status, _, _ = request(self.port, "GET", "/healthz", timeout=5)
                if status != 200:
                    self.failures.append(f"status {status}")
            except OSError as e:
                self.failures.append(repr(e))
            took = time.monotonic() - started
            self.slowest = max(self.slowest, took)
            self.count += 1
            self.stop.wait(max(0.0, 0.2 - took))


def noisy_file(size):
    """A publiccode.yml of about `size` bytes whose every line is a diagnostic."""
    lines = ['publiccodeYmlVersion: "0.4"']
    total = len(lines[0]) + 1
    i = 0
    while True:
        line = f"unknownKey{i}: some value of a key the standard does not have"
        if total + len(line) + 1 > size:
            break
        lines.append(line)
        total += len(line) + 1
        i += 1
    return ("\n".join(lines) + "\n").encode()


def multipart(field, data):
    boundary = "riusoabuseboundary"
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n".encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def attack_reset_flood(port):
    status, headers, body = request(port, "GET", "/account/reset")
    assert status == 200, status
    cookie = next(v for k, v in headers if k.lower() == "set-cookie" and v.startswith("riuso_csrf="))
    cookie = cookie.split(";")[0]
    token = re.search(rb'name="csrf" value="([0-9a-f]{64})"', body).group(1).decode()

    def form_post(path, fields):
        status, _, _ = request(
            port,
            "POST",
            path,
            body=urllib.parse.urlencode({"csrf": token, **fields}),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": cookie,
                "Origin": f"http://{HOST}:{port}",
            },
        )
        return status

    def reset_request(i):
        return form_post("/account/reset", {"email": f"person{i}@example.org"})

    # A reset link that does not exist, with the longest password the form takes: the link is
    # checked before any hash, so this costs no argon2 work.
    def bad_link(i):
        return form_post(f"/account/reset/{i:064x}", {"password": "p" * 256})

    # Sign-ins of unknown addresses: each checks a decoy hash (the same cost as a wrong
    # password), at most RIUSO_MAX_HASHES at once, each holding 19 MiB while it runs.
    def sign_in(i):
        return form_post(
            "/account/sign-in", {"email": f"nobody{i}@example.org", "password": "p" * 256}
        )

    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(reset_request, range(600)))
        links = list(pool.map(bad_link, range(600)))
        sign_ins = list(pool.map(sign_in, range(200)))
    bad = [s for s in statuses if s not in (200, 429, 503)]
    assert not bad, f"reset flood: unexpected answers {sorted(set(bad))}"
    bad = [s for s in links if s not in (400, 429)]
    assert not bad, f"reset links: unexpected answers {sorted(set(bad))}"
    bad = [s for s in sign_ins if s not in (401, 429, 503)]
    assert not bad, f"sign-ins: unexpected answers {sorted(set(bad))}"
    return (
        f"600 reset requests: {statuses.count(200)} answered, {statuses.count(429)} rate-limited, "
        f"{statuses.count(503)} busy; 600 posts to reset links that do not exist: "
        f"{links.count(400)} refused; 200 sign-ins of unknown addresses: "
        f"{sign_ins.count(401)} refused, {sign_ins.count(503)} busy"
    )


def attack_repeated_filters(port):
    thousand = "&".join(f"category=value-number-{i:05}-of-a-long-list" for i in range(1000))
    at_caps = "&".join(f"category={'c' * 300}-{i}" for i in range(20))

    def get(path):
        status, _, body = request(port, "GET", path)
        return status, len(body)

    with ThreadPoolExecutor(8) as pool:
        refused = list(pool.map(get, [f"/software?{thousand}"] * 100))
        capped = list(pool.map(get, [f"/software?{at_caps}"] * 100))
    assert all(s == 400 for s, _ in refused), f"over the caps: {set(s for s, _ in refused)}"
    assert all(s == 200 for s, _ in capped), f"at the caps: {set(s for s, _ in capped)}"
    largest = max(n for _, n in capped)
    assert largest < 1024 * 1024, f"a page of {largest} bytes at the caps"
    return f"{len(thousand)}-byte address refused 100 times; at the caps 100 pages of at most {largest} bytes"


def attack_validator_paste(port):
    data = noisy_file(1_000_000)
    page_body, page_headers = multipart("publiccode", data)

    def page(_):
        return request(port, "POST", "/validator", body=page_body, headers=page_headers, timeout=120)

    def api(_):
        return request(
            port,
            "POST",
            "/api/v1/validate",
            body=data,
            headers={"Content-Type": "application/yaml"},
            timeout=120,
        )

    with ThreadPoolExecutor(4) as pool:
        pages = list(pool.map(page, range(4)))
        apis = list(pool.map(api, range(4)))
    for status, _, body in pages + apis:
        assert status in (200, 503), f"validator: status {status}: {body[:200]!r}"
    sizes = [len(body) for status, _, body in pages if status == 200]
    return (
        f"{len(data)}-byte file, 4 pages ({sizes} bytes) and 4 API calls:"
        f" {sum(1 for s, _, _ in pages + apis if s == 503)} busy"
    )


def attack_half_open(port, header_timeout):
    sockets = []
    for _ in range(300):
        s = socket.create_connection((HOST, port), timeout=5)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: abuse\r\nX-Slow: ")
        sockets.append(s)
    time.sleep(1)
    # The server closes every one after its header timeout.
    deadline = time.monotonic() + header_timeout + 5
    closed = 0
    for s in sockets:
        try:
            while True:
                s.settimeout(max(0.01, deadline - time.monotonic()))
                if not s.recv(4096):
                    closed += 1
                    break
        except socket.timeout:
            pass
        except OSError:
            closed += 1
        finally:
            s.close()
    assert closed == 300, f"{300 - closed} half-open connections still open after {header_timeout + 5} s"
    return f"300 half-open connections, all closed by the server within {header_timeout + 5} s"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--riuso", required=True)
    parser.add_argument("--port", type=int, default=18083)
    parser.add_argument("--ceiling-mib", type=float, default=256)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="riuso-abuse-")
    header_timeout = 3
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite://{workdir}/riuso.db?mode=rwc",
        RIUSO_DATA_DIR=workdir,
        RIUSO_LOG="warn",
        RIUSO_API_RATE_PER_MINUTE="0",
        RIUSO_AUTH_RATE_PER_MINUTE="0",
        RIUSO_EMBEDDED_WORKER="0",
        RIUSO_CRAWL_EVERY_HOURS="0",
        RIUSO_HEADER_TIMEOUT_SECS=str(header_timeout),
        RIUSO_PUBLIC_URL=f"http://{HOST}:{args.port}",
    )
    server = None
    try:
        subprocess.run(
            [args.riuso, "dev", "seed", "--count", "200", "--seed", "1", "--json"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        server = subprocess.Popen(
            [args.riuso, "serve", "--bind", f"{HOST}:{args.port}"], env=env
        )
        for _ in range(120):
            if server.poll() is not None:
                sys.exit("riuso serve stopped before answering")
            try:
                if request(args.port, "GET", "/healthz", timeout=1)[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            sys.exit("riuso serve did not answer /healthz in 60 s")
        print(f"riuso serve (pid {server.pid}) at rest: {peak_rss_mib(server.pid):.0f} MiB")

        failed = False
        for name, attack in [
            ("reset flood", lambda: attack_reset_flood(args.port)),
            ("repeated filters", lambda: attack_repeated_filters(args.port)),
            ("1 MB validator paste", lambda: attack_validator_paste(args.port)),
            ("half-open connections", lambda: attack_half_open(args.port, header_timeout)),
        ]:
            prober = Prober(args.port)
            prober.start()
            started = time.monotonic()
            try:
                summary = attack()
                error = None
            except AssertionError as e:
                summary, error = None, str(e)
            prober.stop.set()
            prober.join()
            peak = peak_rss_mib(server.pid)
            problems = [error] if error else []
            if prober.failures:
                problems.append(f"/healthz failed {len(prober.failures)} times: {prober.failures[:3]}")
            if prober.slowest >= 1.0:
                problems.append(f"/healthz took {prober.slowest:.2f} s")
            if peak > args.ceiling_mib:
                problems.append(f"peak memory {peak:.0f} MiB over the {args.ceiling_mib:.0f} MiB ceiling")
            verdict = "FAIL" if problems else "ok"
            print(
                f"{verdict:4} {name}: {summary or ''} ({time.monotonic() - started:.1f} s;"
                f" /healthz {prober.count} times, slowest {prober.slowest * 1000:.0f} ms;"
                f" peak memory {peak:.0f} MiB)"
            )
            for problem in problems:
                print(f"     {problem}")
            failed |= bool(problems)
        if server.poll() is not None:
            sys.exit("riuso serve stopped during the attacks")
        sys.exit(1 if failed else 0)
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

"""A reviewer's session on a live `riuso serve`, for `make test-api`.

    python3 reviewer.py BASE_URL RIUSO_BINARY

Signs an account up through the site's forms, opens the verification link the outbox holds
(`riuso mail list --json`: the test server has no SMTP server), gives the account the reviewer
role (`riuso user role`) and signs it in; prints the session cookie's value, with which the
reviewers' queue of the API answers. Exits 1 naming the step that failed.
"""

import json
import re
import subprocess
import sys
from urllib.parse import urlsplit

import httpx

BASE, RIUSO = sys.argv[1:3]
EMAIL = "reviewer@api-test.example.org"
PASSWORD = "correct horse battery staple"


def fail(message):
    print(f"reviewer session: {message}", file=sys.stderr)
    sys.exit(1)


def form_token(client, path):
    """The CSRF token of the form at `path` (the page also sets its cookie)."""
    page = client.get(path)
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text)
    if page.status_code != 200 or not found:
        fail(f"{path} answered {page.status_code} without a form token")
    return found.group(1)


def riuso(*args):
    done = subprocess.run([RIUSO, *args], capture_output=True, text=True)
    if done.returncode != 0:
        fail(f"riuso {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


with httpx.Client(base_url=BASE, follow_redirects=False, timeout=30) as client:
    token = form_token(client, "/account/sign-up")
    answer = client.post(
        "/account/sign-up",
        data={"csrf": token, "name": "API reviewer", "email": EMAIL, "password": PASSWORD},
    )
    # The answer is the page that says to look in the mailbox; a refusal carries the form again.
    if answer.status_code != 200 or 'id="form-error"' in answer.text:
        fail(f"sign-up answered {answer.status_code}: {answer.text[:300]}")
    links = [
        found.group(0)
        for message in map(json.loads, riuso("mail", "list", "--json").splitlines())
        if message["to"] == EMAIL
        for found in [re.search(r"\S+/account/verify/\S+", message["text"])]
        if found
    ]
    if not links:
        fail(f"no verification link to {EMAIL} in the outbox")
    verified = client.get(urlsplit(links[-1]).path)
    if verified.status_code >= 400:
        fail(f"the verification link answered {verified.status_code}")
    riuso("user", "role", EMAIL, "reviewer")
    token = form_token(client, "/account/sign-in")
    answer = client.post("/account/sign-in", data={"csrf": token, "email": EMAIL, "password": PASSWORD})
    session = client.cookies.get("riuso_session")
    if answer.status_code != 303 or not session:
        fail(f"sign-in answered {answer.status_code} without a session")
    print(session)

"""The generated Python client against a live `riuso serve` (`make test-api`).

`make test-api` validates the OpenAPI document with openapi-spec-validator, generates a client
with openapi-python-client (tests/api-client/generator.yaml) and runs this script with the
client's package importable as `riuso_api_client`:

    python3 check.py BASE_URL OPENAPI_JSON PUBLICCODE_YML SESSION

Every operation of the document must have its function in the client, and each is called on the
seeded catalog and must answer 200 with a body the client parses into its declared type (the
exports as text, read line by line or as a document); the reviewers' queue with SESSION, the
session cookie of a reviewer (tests/api-client/reviewer.py), and 401 without it. Exits 1 on any
failure, naming it.
"""

import csv
import importlib
import io
import json
import re
import sys
from urllib.parse import parse_qs, urlsplit

from riuso_api_client import Client
from riuso_api_client import models
from riuso_api_client.types import File

BASE, DOCUMENT, PUBLICCODE, SESSION = sys.argv[1:5]
failures = []


def snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def operations():
    """Every operation of the document: (tag module, operationId)."""
    with open(DOCUMENT, encoding="utf-8") as f:
        doc = json.load(f)
    for path, item in doc["paths"].items():
        for method, op in item.items():
            tag = op["tags"][0].replace(" ", "_")
            yield path, method, tag, op["operationId"]


def call(module, expected, *args, by=None, **kwargs):
    """Calls the operation `module` (as the client `by`, else anonymously) and checks its answer
    parses into `expected`."""
    response = module.sync_detailed(*args, client=by or client, **kwargs)
    name = module.__name__.rsplit(".", 1)[-1]
    if response.status_code != 200:
        failures.append(f"{name}: answered {response.status_code}: {response.content[:200]!r}")
        return None
    if not isinstance(response.parsed, expected):
        failures.append(f"{name}: parsed as {type(response.parsed).__name__}, not {expected}")
        return None
    print(f"ok   {name}")
    return response.parsed


client = Client(base_url=BASE, raise_on_unexpected_status=True, timeout=60)
reviewer = Client(base_url=BASE, raise_on_unexpected_status=True, timeout=60, cookies={"riuso_session": SESSION})
functions = {}
for path, method, tag, operation in operations():
    try:
        functions[operation] = importlib.import_module(f"riuso_api_client.api.{tag}.{snake(operation)}")
    except ImportError:
        failures.append(f"{method.upper()} {path}: no function {operation} in the generated client")
if failures:
    print("\n".join(failures))
    sys.exit(1)
print(f"the client covers all {len(functions)} operations of the document")

api = functions
page = call(api["list_software"], models.SoftwareList, pagesize=2)
call(api["list_software"], models.SoftwareList, q="comune", status=["stable"], pagesize=100)
slug = page.data[0].slug
call(api["show_software"], models.SoftwareResponse, slug)
call(api["list_software_declarations"], models.DeclarationList, slug)
if page.links.next_:
    after = parse_qs(urlsplit(page.links.next_).query)["page[after]"][0]
    following = call(api["list_software"], models.SoftwareList, pagesize=2, pageafter=after)
    if following and {s.slug for s in following.data} & {s.slug for s in page.data}:
        failures.append("list_software: the next page repeats entries of the first")
organisations = call(api["list_organisations"], models.OrganisationList)
code = organisations.data[0].ipa_code or str(organisations.data[0].id)
call(api["show_organisation"], models.OrganisationResponse, code)
call(api["list_organisation_software"], models.SoftwareBriefList, code)
call(api["show_stats"], models.StatsResponse)
crawls = call(api["list_crawls"], models.CrawlRunList)
if crawls and crawls.data:
    run = crawls.data[0].id
    call(api["show_crawl"], models.CrawlRunResponse, run)
    call(api["list_crawl_events"], models.CrawlEventList, run)
else:
    failures.append("list_crawls: no crawl run to show (make test-api crawls one repository)")

rules = call(api["list_rules"], models.RuleList)
if rules and not rules.data:
    failures.append("list_rules: no rule")
review = call(api["show_review"], models.ReviewResponse, slug)
if review and review.slug != slug:
    failures.append(f"show_review: asked for {slug}, answered {review.slug}")
queue = call(api["list_reviews"], models.QueueList, by=reviewer, pagesize=5)
if queue and not queue.data:
    failures.append("list_reviews: the reviewer's queue is empty")
if queue and queue.links.next_:
    after = parse_qs(urlsplit(queue.links.next_).query)["page[after]"][0]
    call(api["list_reviews"], models.QueueList, by=reviewer, pagesize=5, pageafter=after)
anonymous = api["list_reviews"].sync_detailed(client=client)
if anonymous.status_code != 401:
    failures.append(f"list_reviews: answered {anonymous.status_code} to nobody, not 401")
else:
    print("ok   list_reviews is 401 to nobody")

communities = call(api["list_communities"], models.CommunityList, pagesize=5)
call(api["release_matrix"], models.MatrixResponse, software=slug)
if communities and communities.data:
    community = communities.data[0].slug
    call(api["show_community"], models.CommunityDetailResponse, community)
    threads = call(api["list_threads"], models.ThreadList, community, pagesize=5)
    if threads and threads.data:
        thread = threads.data[0]
        call(api["show_thread"], models.ThreadResponse, thread.id)
        call(api["list_posts"], models.PostList, thread.id, pagesize=5)
        if thread.release_id:
            call(api["show_release"], models.ReleaseResponse, thread.release_id)
else:
    print("     no community in this catalog: its threads, posts and releases are not called")
cases = call(api["list_cases"], models.CaseList)
if cases and len(cases.data) < 2:
    failures.append("list_cases: the demo cases are missing (make test-api loads them)")
elif cases:
    case = call(api["show_case"], models.CaseResponse, cases.data[0].id)
    if case and case.id != cases.data[0].id:
        failures.append(f"show_case: asked for {cases.data[0].id}, answered {case.id}")

with open(PUBLICCODE, "rb") as f:
    verdict = call(api["validate"], models.ValidationResponse, body=File(payload=f.read(), file_name="publiccode.yml"))
if verdict and not verdict.valid:
    failures.append(f"validate: the demo file is not valid: {verdict.diagnostics}")
broken = b"publiccodeYmlVersion: '0'\nname: x\ndevelopmentStatus: stabel\n"
verdict = call(api["validate"], models.ValidationResponse, body=File(payload=broken))
if verdict and (verdict.valid or not verdict.diagnostics):
    failures.append("validate: a broken file was found valid")

text = call(api["export_jsonl"], str)
if text is not None:
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    if not lines or not all(isinstance(line, dict) and "slug" in line for line in lines):
        failures.append("export_jsonl: not one JSON object with a slug per line")
    else:
        print(f"     {len(lines)} JSON Lines")
text = call(api["export_csv"], str)
if text is not None:
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or "slug" not in rows[0]:
        failures.append("export_csv: no rows with a slug column")
text = call(api["export_turtle"], str)
if text is not None and "dcat:Catalog" not in text:
    failures.append("export_turtle: no dcat:Catalog")
document = call(api["export_jsonld"], (dict, list))

if failures:
    print("\nFailed:")
    for failure in failures:
        print(f"  {failure}")
    sys.exit(1)
print("api client: every operation answered and parsed")

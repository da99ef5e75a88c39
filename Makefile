# riuso — build, run and test. GNU make; every tool a target needs is installed by the target.
#
#   make run     build, migrate the embedded SQLite database, load the demo catalog, serve files
#   make assets  web/dist, the files served at /static/, from npm packages and web/static
#   make test    the whole test suite (installs the test tools it needs), browser tests included
#   make lint    formatting, clippy, docs, licences/advisories, unused dependencies
#   make bench   benchmarks (bench-validate); make fuzz: fuzzing for FUZZ_SECONDS
#   make bench-web, bench-weight   the pages under load; what a first visit downloads

CARGO ?= cargo
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
export CARGO_TERM_COLOR ?= auto

.PHONY: all build assets run test test-tools test-api test-browser test-abuse bench-web bench-weight lint fmt bench bench-validate bench-search bench-export bench-crawl audit clean

all: build

build: assets
	$(CARGO) build --release --locked

## assets: web/dist (served at /static/, RIUSO_ASSETS_DIR) from the npm packages pinned in
## web/package-lock.json (Bootstrap Italia) and our own files in web/static. `npm ci` runs when
## web/node_modules is missing or older than the lock file.
WEB_DEPS := web/node_modules/.installed

assets: $(WEB_DEPS)
	node web/assemble.mjs

$(WEB_DEPS): web/package.json web/package-lock.json
	@command -v npm >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq nodejs npm; }
	cd web && npm ci --no-audit --no-fund
	@touch $@

## run: migrate the embedded database, load the demo catalog (the real files of
## tests/fixtures/real, the local git repositories `riuso demo` makes and crawls, a verified reuse
## declaration; once per database), serve on RIUSO_BIND (127.0.0.1:8080).
## The demo's registry of administrations (names and sample addresses) unless one is given.
RIUSO_IPA_REGISTRY ?= demo/ipa-registry.tsv

run: build
	$(TARGET_DIR)/release/riuso migrate
	RIUSO_IPA_REGISTRY=$(RIUSO_IPA_REGISTRY) $(TARGET_DIR)/release/riuso demo tests/fixtures/real
	RIUSO_IPA_REGISTRY=$(RIUSO_IPA_REGISTRY) $(TARGET_DIR)/release/riuso serve

## test: every suite, snapshots must match and none may be left unreferenced.
test: test-tools
	$(CARGO) insta test --workspace --require-full-match --unreferenced=reject --test-runner nextest --dnd
	$(MAKE) test-api
	$(MAKE) test-browser
	$(MAKE) test-abuse

## test-api: schemathesis (from PyPI, in a virtualenv under the target directory) runs every
## check against a live `riuso serve` on a seeded catalog, on a loopback port; a crawl of one
## local git repository gives the crawl endpoints a run and events to answer with. Then the
## OpenAPI document must be valid by openapi-spec-validator, and a client generated from it by
## openapi-python-client (tests/api-client/generator.yaml) must cover every operation and parse
## what the server answers, the validator and the exports included (tests/api-client/check.py).
## Both run as a reviewer signed in through the site's forms (tests/api-client/reviewer.py), so the
## reviewers' queue answers them too (the server checks the seeded entries' compliance as it starts).
SCHEMATHESIS_VENV := $(TARGET_DIR)/schemathesis-venv
SCHEMATHESIS := $(SCHEMATHESIS_VENV)/bin/schemathesis
API_TOOLS := $(SCHEMATHESIS_VENV)/.api-tools-1
API_TEST_PORT ?= 18080

$(API_TOOLS):
	python3 -m venv $(SCHEMATHESIS_VENV) || { apt-get update -qq && apt-get install -y -qq python3-venv && python3 -m venv $(SCHEMATHESIS_VENV); }
	$(SCHEMATHESIS_VENV)/bin/pip install --quiet schemathesis openapi-spec-validator 'openapi-python-client>=0.29,<0.30'
	@touch $@

test-api: $(API_TOOLS)
	$(CARGO) build --locked
	@set -e; dir=$$(mktemp -d); venv=$(abspath $(SCHEMATHESIS_VENV)); base=http://127.0.0.1:$(API_TEST_PORT); \
	export DATABASE_URL="sqlite://$$dir/riuso.db?mode=rwc" RIUSO_API_RATE_PER_MINUTE=0 RIUSO_LOG=warn; \
	$(TARGET_DIR)/debug/riuso dev seed --count 200 --seed 1 --json >/dev/null; \
	$(TARGET_DIR)/debug/riuso import demo >/dev/null && $(TARGET_DIR)/debug/riuso dev demo-cases >/dev/null; \
	$(TARGET_DIR)/debug/riuso dev demo-community >/dev/null; \
	git init -q $$dir/repo && cp demo/Comune-Milano__gefo.yml $$dir/repo/publiccode.yml; \
	git -C $$dir/repo add publiccode.yml && git -C $$dir/repo -c user.name=riuso -c user.email=riuso@example.org commit -qm demo; \
	printf 'publishers:\n  - name: Demo\n    repositories: [file://%s/repo]\n' $$dir > $$dir/publishers.yml; \
	RIUSO_FETCH_FILES=true RIUSO_DATA_DIR=$$dir $(TARGET_DIR)/debug/riuso crawl --json --sources $$dir/publishers.yml >/dev/null; \
	$(TARGET_DIR)/debug/riuso serve --bind 127.0.0.1:$(API_TEST_PORT) & pid=$$!; \
	trap 'kill $$pid; rm -rf $$dir' EXIT; \
	$(WAIT_FOR_SERVER); \
	session=$$($$venv/bin/python tests/api-client/reviewer.py $$base $(TARGET_DIR)/debug/riuso); \
	curl -fsS -o $$dir/openapi.json $$base/api/v1/openapi.json; \
	$$venv/bin/openapi-spec-validator $$dir/openapi.json; \
	$$venv/bin/openapi-python-client generate --path $$dir/openapi.json --meta none \
	  --config tests/api-client/generator.yaml --output-path $$dir/client/riuso_api_client; \
	PYTHONPATH=$$dir/client $$venv/bin/python tests/api-client/check.py $$base $$dir/openapi.json demo/Comune-Milano__gefo.yml $$session; \
	cd $$dir && $$venv/bin/schemathesis --config-file $(CURDIR)/tests/schemathesis.toml run \
	  --checks all --wait-for-schema 60 -H "Cookie: riuso_session=$$session" $$base/api/v1/openapi.json

## The shell loop that waits for the `riuso serve` started as $$pid to answer $$base/healthz
## (60 s at most; fails at once when the server stops).
WAIT_FOR_SERVER = for i in $$(seq 120); do \
	  curl -fs -o /dev/null $$base/healthz && break; \
	  kill -0 $$pid 2>/dev/null || { echo "riuso serve stopped before answering"; exit 1; }; \
	  test $$i -lt 120 || { echo "riuso serve did not answer /healthz in 60 s"; exit 1; }; \
	  sleep 0.5; \
	done

## test-browser: every page in Italian and English in headless Chromium (Debian's package,
## installed when missing) driven by playwright-core: axe-core (WCAG 2.1 A and AA) finds no
## violation, no Content-Security-Policy error, a keyboard-only journey (search, filter, open,
## compare), and a full-page screenshot of each page in $(TARGET_DIR)/browser-artifacts. The
## server runs on a temporary catalog: the demo files (one of them changed and imported again,
## so it has a diff; another made invalid and imported again, so it shows its banner) and 50
## seeded entries. Its embedded worker sends mail to an SMTP sink on loopback
## (tests/browser/smtp-sink.mjs), which the declaration and review journeys read; it checks the
## entries' compliance as it starts, and the review journey gives its reviewer the role with
## `riuso user role`. Then, the demo community loaded (after the declaration journey, which
## declares Bologna's reuse itself), tests/browser/communities.mjs on the same server: the release
## journey of two administrations, the community pages under axe-core and at 375 px.
CHROMIUM ?= /usr/bin/chromium
BROWSER_TEST_PORT ?= 18081
BROWSER_SMTP_PORT ?= 18025
BROWSER_ARTIFACTS := $(abspath $(TARGET_DIR))/browser-artifacts

test-browser: assets
	@command -v $(CHROMIUM) >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }
	@command -v curl >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq curl; }
	@command -v pdftotext >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq poppler-utils; }
	$(CARGO) build --locked
	@set -e; dir=$$(mktemp -d); riuso=$(abspath $(TARGET_DIR))/debug/riuso; \
	base=http://127.0.0.1:$(BROWSER_TEST_PORT); changed=$$dir/demo/Comune-di-Montesilvano__ComunicaPA.yml; \
	export DATABASE_URL="sqlite://$$dir/riuso.db?mode=rwc" RIUSO_ASSETS_DIR=$(CURDIR)/web/dist RIUSO_LOG=warn \
	  RIUSO_API_RATE_PER_MINUTE=0 RIUSO_EMBEDDED_WORKER=1 RIUSO_CRAWL_EVERY_HOURS=0 \
	  RIUSO_DATA_DIR=$$dir RIUSO_PUBLIC_URL=$$base RIUSO_IPA_REGISTRY=$(CURDIR)/demo/ipa-registry.tsv \
	  RIUSO_SMTP_HOST=127.0.0.1 RIUSO_SMTP_PORT=$(BROWSER_SMTP_PORT) RIUSO_SMTP_TLS=none MAIL_DIR=$$dir/mail; \
	trap 'rm -rf $$dir' EXIT; \
	SMTP_PORT=$(BROWSER_SMTP_PORT) node tests/browser/smtp-sink.mjs & sink=$$!; \
	trap 'kill $$sink 2>/dev/null; rm -rf $$dir' EXIT; \
	cp -R demo $$dir/demo; \
	$$riuso import --json $$dir/demo >/dev/null; \
	sed -i 's/^developmentStatus: stable/developmentStatus: beta/' $$changed; \
	$$riuso import --json $$changed >/dev/null; \
	broken=$$dir/demo/Comune-di-Montesilvano__GovPay-Interaction-Layer.yml; \
	sed -i 's/^developmentStatus: stable/developmentStatus: stabile/' $$broken; \
	$$riuso import --json $$broken >/dev/null; \
	$$riuso dev seed --count 50 --seed 1 --json >/dev/null; \
	$$riuso dev demo-cases >/dev/null; \
	$$riuso serve --bind 127.0.0.1:$(BROWSER_TEST_PORT) & pid=$$!; \
	trap 'kill $$pid $$sink 2>/dev/null; wait $$pid 2>/dev/null; rm -rf $$dir' EXIT; \
	$(WAIT_FOR_SERVER); \
	BASE_URL=$$base CHROMIUM=$(CHROMIUM) ARTIFACTS_DIR=$(BROWSER_ARTIFACTS) RIUSO_BIN=$$riuso node tests/browser/run.mjs; \
	$$riuso dev demo-community >/dev/null; \
	BASE_URL=$$base CHROMIUM=$(CHROMIUM) ARTIFACTS_DIR=$(BROWSER_ARTIFACTS) node tests/browser/communities.mjs

## test-abuse: bounded abuse of a live `riuso serve` (debug build) on a temporary SQLite catalog
## of 200 seeded entries, on a loopback port: a flood of password-reset requests with the CSRF
## cookie, the search page with a thousand repeated filters and at the query caps, 1 MB pastes to
## the validator page and API, 300 half-open connections. During each, /healthz must answer
## within 1 s, and the server's peak memory (VmHWM) stay under ABUSE_RSS_CEILING_MIB (256).
## tests/abuse/run.py: Python 3 standard library only.
ABUSE_TEST_PORT ?= 18083
ABUSE_RSS_CEILING_MIB ?= 256

test-abuse:
	$(CARGO) build --locked
	python3 tests/abuse/run.py --riuso $(TARGET_DIR)/debug/riuso --port $(ABUSE_TEST_PORT) \
	  --ceiling-mib $(ABUSE_RSS_CEILING_MIB)

test-tools:
	@$(CARGO) insta --version >/dev/null 2>&1 || $(CARGO) install cargo-insta --locked
	@$(CARGO) nextest --version >/dev/null 2>&1 || $(CARGO) install cargo-nextest --locked

lint:
	@$(CARGO) deny --version >/dev/null 2>&1 || $(CARGO) install cargo-deny --locked
	@$(CARGO) machete --version >/dev/null 2>&1 || $(CARGO) install cargo-machete --locked
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --all-features --locked -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps --document-private-items --locked
	$(CARGO) deny check licenses bans sources
	$(CARGO) machete

fmt:
	$(CARGO) fmt --all

audit:
	$(CARGO) deny check advisories

## audit needs the RustSec advisory database, fetched from the network.
## bench-export: peak RSS and time of `riuso export` in every format at BENCH_ENTRIES (100,000)
## seeded entries (the database is seeded once, under the target directory); fails above
## EXPORT_RSS_CEILING_MIB. Needs GNU time (/usr/bin/time).
BENCH_ENTRIES ?= 100000
EXPORT_RSS_CEILING_MIB ?= 64
BENCH_EXPORT_DIR := $(TARGET_DIR)/bench-export

bench-export: build
	@mkdir -p $(BENCH_EXPORT_DIR)
	@export DATABASE_URL="sqlite://$(abspath $(BENCH_EXPORT_DIR))/riuso-$(BENCH_ENTRIES).db?mode=rwc" RIUSO_LOG=warn; \
	test -f $(BENCH_EXPORT_DIR)/riuso-$(BENCH_ENTRIES).db || $(TARGET_DIR)/release/riuso dev seed --count $(BENCH_ENTRIES) --seed 1; \
	for f in csv jsonl ttl jsonld; do \
	  /usr/bin/time -f '%M %e' -o $(BENCH_EXPORT_DIR)/time.$$f \
	    $(TARGET_DIR)/release/riuso export --format $$f --output $(BENCH_EXPORT_DIR)/catalog.$$f || exit 1; \
	  read kib secs < $(BENCH_EXPORT_DIR)/time.$$f; \
	  echo "$$f: $(BENCH_ENTRIES) entries, peak RSS $$((kib / 1024)) MiB, $$secs s, $$(wc -c < $(BENCH_EXPORT_DIR)/catalog.$$f) bytes"; \
	  test $$kib -le $$(( $(EXPORT_RSS_CEILING_MIB) * 1024 )) || { echo "over the $(EXPORT_RSS_CEILING_MIB) MiB ceiling"; exit 1; }; \
	done

## bench-web: the web pages under load. wrk (Debian's package, installed when missing) runs
## BENCH_WEB_SECONDS (20) s with 2 threads and 64 connections on loopback against /healthz (the
## baseline: no database, no template), the home page, a search with text and facets and a
## software page, served by the release binary on BENCH_WEB_ENTRIES (10,000) seeded entries
## (seeded once, under the target directory); prints requests/s, p50/p90/p99 and each page's
## throughput against /healthz; fails on any non-2xx answer or socket error. wrk asks for
## compressed answers as browsers do (BENCH_WEB_ENCODING). Also a community's page and a middle
## page of a thread of BENCH_WEB_POSTS (1,000) posts (reached through its "next" links,
## `?after=<post id>`), in a community of BENCH_WEB_FOLLOWERS
## (10,000) followers (`riuso dev seed-community`); then benches/community_post.rs: replies to
## that many followers through the router, p99 against 50 ms, the fan-out left to the job.
BENCH_WEB_POSTS ?= 1000
BENCH_WEB_FOLLOWERS ?= 10000
BENCH_WEB_ENTRIES ?= 10000
BENCH_WEB_SECONDS ?= 20
BENCH_WEB_PORT ?= 18082
BENCH_WEB_SEARCH ?= /software?q=comune&category=document-management&status=stable
BENCH_WEB_ENCODING ?= gzip, deflate, br, zstd
BENCH_WEB_DIR := $(abspath $(TARGET_DIR))/bench-web

bench-web: build
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }
	@command -v curl >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq curl; }
	@set -e; mkdir -p $(BENCH_WEB_DIR); riuso=$(abspath $(TARGET_DIR))/release/riuso; \
	base=http://127.0.0.1:$(BENCH_WEB_PORT); db=$(BENCH_WEB_DIR)/riuso-$(BENCH_WEB_ENTRIES).db; \
	export DATABASE_URL="sqlite://$$db?mode=rwc" RIUSO_ASSETS_DIR=$(CURDIR)/web/dist RIUSO_LOG=warn \
	  RIUSO_API_RATE_PER_MINUTE=0 RIUSO_EMBEDDED_WORKER=0 RIUSO_CRAWL_EVERY_HOURS=0; \
	test -f $$db || $$riuso dev seed --count $(BENCH_WEB_ENTRIES) --seed 1; \
	thread=$$($$riuso dev seed-community --posts $(BENCH_WEB_POSTS) --followers $(BENCH_WEB_FOLLOWERS) --json | grep -o '"thread":[0-9]*' | cut -d: -f2); \
	thread_page=$$(( ($(BENCH_WEB_POSTS) + 99) / 100 )); thread_path=/threads/$$thread; \
	$$riuso serve --bind 127.0.0.1:$(BENCH_WEB_PORT) & pid=$$!; \
	trap 'kill $$pid 2>/dev/null; wait $$pid 2>/dev/null' EXIT; \
	$(WAIT_FOR_SERVER); \
	slug=$$(curl -fs "$$base/api/v1/software?page%5Bsize%5D=1" | grep -o '"slug":"[^"]*"' | head -1 | cut -d'"' -f4); \
	i=1; while [ $$i -lt $$thread_page ]; do \
	  next=$$(curl -fs "$$base$$thread_path" | grep -o 'href="/threads/[0-9]*?after=[0-9]*" rel="next"' | head -1 | cut -d'"' -f2); \
	  test -n "$$next" || { echo "$$thread_path: no next page of posts"; exit 1; }; \
	  thread_path=$$next; i=$$((i + 1)); \
	done; \
	echo "$(BENCH_WEB_ENTRIES) entries; wrk -t2 -c64 -d$(BENCH_WEB_SECONDS)s on loopback, server and wrk on the same machine ($$(nproc) cores)"; \
	printf '%-60s %10s %8s %8s %8s %11s\n' page requests/s "p50 ms" "p90 ms" "p99 ms" "vs /healthz"; \
	n=0; baseline=; \
	for path in /healthz / '$(BENCH_WEB_SEARCH)' /software/$$slug /communities/banco-di-prova "$$thread_path"; do \
	  n=$$((n + 1)); out=$(BENCH_WEB_DIR)/wrk-$$n.txt; \
	  if ! wrk -t2 -c64 -d$(BENCH_WEB_SECONDS)s --latency -H 'Accept-Encoding: $(BENCH_WEB_ENCODING)' -s web/bench/wrk-report.lua "$$base$$path" > $$out 2>&1; then \
	    cat $$out; echo "$$path: answers other than 2xx, or socket errors"; exit 1; \
	  fi; \
	  set -- $$(grep '^RESULT' $$out); baseline=$${baseline:-$$2}; \
	  printf '%-60s %10s %8s %8s %8s %11s\n' "$$path" $$2 $$3 $$4 $$5 $$(awk "BEGIN { printf \"%.2f\", $$2 / $$baseline }"); \
	done; \
	echo "wrk outputs in $(BENCH_WEB_DIR)"
	BENCH_FOLLOWERS=$(BENCH_WEB_FOLLOWERS) $(CARGO) bench --locked --bench community_post

## bench-weight: what a first visit downloads for each page type (web/bench/weight.mjs, headless
## Chromium), refusing compression and as the browser asks, served by the release binary on the
## demo catalog with the built assets; prints a Markdown table for BENCHMARKS.md.
BENCH_WEIGHT_PORT ?= 18084

bench-weight: build
	@command -v $(CHROMIUM) >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }
	@command -v curl >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq curl; }
	@set -e; dir=$$(mktemp -d); riuso=$(abspath $(TARGET_DIR))/release/riuso; base=http://127.0.0.1:$(BENCH_WEIGHT_PORT); \
	export DATABASE_URL="sqlite://$$dir/riuso.db?mode=rwc" RIUSO_ASSETS_DIR=$(CURDIR)/web/dist RIUSO_LOG=warn \
	  RIUSO_EMBEDDED_WORKER=0 RIUSO_CRAWL_EVERY_HOURS=0 RIUSO_API_RATE_PER_MINUTE=0 RIUSO_IPA_REGISTRY=$(CURDIR)/demo/ipa-registry.tsv; \
	$$riuso import --json demo >/dev/null; \
	$$riuso serve --bind 127.0.0.1:$(BENCH_WEIGHT_PORT) & pid=$$!; \
	trap 'kill $$pid 2>/dev/null; wait $$pid 2>/dev/null; rm -rf $$dir' EXIT; \
	$(WAIT_FOR_SERVER); \
	BASE_URL=$$base CHROMIUM=$(CHROMIUM) node web/bench/weight.mjs

## bench-validate: validation throughput against a bare YAML parse (and PEER_VALIDATOR if set).
bench: bench-validate bench-search bench-export bench-crawl bench-rules

bench-validate:
	$(CARGO) bench --locked --bench validate

## bench-search: search p50/p99 at BENCH_ENTRIES (100,000) entries on SQLite and PostgreSQL.
bench-search:
	$(CARGO) bench --locked --bench search

## bench-rules: the compliance rules over BENCH_SNAPSHOTS (10,000) snapshots beside the
## validator's cost per file, in the same run.
bench-rules:
	$(CARGO) bench --locked --bench rules

## bench-crawl: a first crawl and an unchanged re-crawl of BENCH_REPOS (1,000) fixture
## repositories with BENCH_LATENCY_MS (20) ms a request, against the ideal wall time; fails when
## a target is missed. BENCH_POSTGRES=1 also runs it on PostgreSQL.
bench-crawl:
	$(CARGO) bench --locked --bench crawl

clean:
	$(CARGO) clean

include fuzz/fuzz.mk

# riuso — build, run and test. GNU make; every tool a target needs is installed by the target.
#
#   make run     build, migrate the embedded SQLite database, load the demo catalog, serve files
#   make test    the whole test suite (installs the test tools it needs)
#   make lint    formatting, clippy, docs, licences/advisories, unused dependencies
#   make bench   benchmarks (bench-validate); make fuzz: fuzzing for FUZZ_SECONDS

CARGO ?= cargo
export CARGO_TERM_COLOR ?= auto

.PHONY: all build run test test-tools lint fmt bench bench-validate bench-search audit clean

all: build

build:
	$(CARGO) build --release --locked

## run: migrate the embedded database, load the demo catalog, serve on RIUSO_BIND (127.0.0.1:8080).
run: build
	./target/release/riuso migrate
	./target/release/riuso import demo
	./target/release/riuso serve

## test: every suite, snapshots must match and none may be left unreferenced.
test: test-tools
	$(CARGO) insta test --workspace --require-full-match --unreferenced=reject --test-runner nextest --dnd

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
## bench-validate: validation throughput against a bare YAML parse (and PEER_VALIDATOR if set).
bench: bench-validate bench-search

bench-validate:
	$(CARGO) bench --locked --bench validate

## bench-search: search p50/p99 at BENCH_ENTRIES (100,000) entries on SQLite and PostgreSQL.
bench-search:
	$(CARGO) bench --locked --bench search

clean:
	$(CARGO) clean

include fuzz/fuzz.mk

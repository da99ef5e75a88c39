# Makefile fragment for fuzzing riuso with cargo-fuzz (libFuzzer), on the
# *stable* toolchain.
#
# Include it from the repository's root Makefile with `include fuzz/fuzz.mk`,
# or run it on its own from the repository root: `make -f fuzz/fuzz.mk fuzz`.
# All paths are relative to the repository root, which must be the current
# directory.
#
#   make fuzz                        # 300 s on parse_validate
#   make fuzz FUZZ_SECONDS=60        # a shorter run
#   make fuzz FUZZ_SANITIZER=address # with AddressSanitizer (RUSTC_BOOTSTRAP=1)
#   make fuzz-repro FUZZ_ARTIFACT=fuzz/artifacts/parse_validate/crash-...
#
# On stable Rust, `cargo fuzz run` fails with "the option `Z` is only accepted
# on the nightly compiler", because by default it adds -Zsanitizer=address.
# `--sanitizer none` drops that flag. The sancov instrumentation that libFuzzer
# needs uses only stable -C flags, so no nightly toolchain is needed.
# FUZZ_SANITIZER=address turns ASan back on, and to do that it sets
# RUSTC_BOOTSTRAP=1 so that stable rustc accepts -Z. (The stable toolchain
# ships the ASan runtime.)

CARGO              ?= cargo
CARGO_FUZZ_VERSION ?= 0.13.2
FUZZ_DIR           ?= fuzz
FUZZ_TARGET        ?= parse_validate
FUZZ_SECONDS       ?= 300
# Largest input libFuzzer generates, in bytes. Real publiccode.yml files are a
# few KiB.
FUZZ_MAX_LEN       ?= 65536
# Memory per process and time per input. Going over either counts as a finding:
# an input that makes the parser blow up, e.g. a YAML alias bomb, is a bug.
FUZZ_RSS_LIMIT_MB  ?= 2048
FUZZ_TIMEOUT       ?= 10
FUZZ_SANITIZER     ?= none
# Extra libFuzzer flags, e.g. FUZZ_ARGS='-dict=fuzz/yaml.dict -seed=1'.
FUZZ_ARGS          ?=

FUZZ_CORPUS := $(FUZZ_DIR)/corpus/$(FUZZ_TARGET)
FUZZ_SEEDS_FIXTURES := tests/fixtures
FUZZ_SEEDS_REAL := tests/fixtures/real

ifeq ($(FUZZ_SANITIZER),none)
FUZZ_ENV :=
else
FUZZ_ENV := RUSTC_BOOTSTRAP=1
endif

FUZZ_CARGO := $(FUZZ_ENV) $(CARGO) fuzz
FUZZ_FLAGS := --fuzz-dir $(FUZZ_DIR) --sanitizer $(FUZZ_SANITIZER)
FUZZ_LIBFUZZER_FLAGS := -max_total_time=$(FUZZ_SECONDS) -max_len=$(FUZZ_MAX_LEN) \
	-rss_limit_mb=$(FUZZ_RSS_LIMIT_MB) -timeout=$(FUZZ_TIMEOUT) $(FUZZ_ARGS)

.PHONY: fuzz fuzz-install fuzz-seed fuzz-build fuzz-repro fuzz-tmin

## fuzz: run $(FUZZ_TARGET) for $(FUZZ_SECONDS) s (exits non-zero on a finding)
fuzz: fuzz-install fuzz-seed
	$(FUZZ_CARGO) run $(FUZZ_FLAGS) $(FUZZ_TARGET) $(FUZZ_CORPUS) -- $(FUZZ_LIBFUZZER_FLAGS)

## fuzz-install: install cargo-fuzz from crates.io if `cargo fuzz` is missing
fuzz-install:
	@$(CARGO) fuzz --version >/dev/null 2>&1 || \
		$(CARGO) install cargo-fuzz --locked --version $(CARGO_FUZZ_VERSION)

## fuzz-seed: copy the publiccode.yml fixtures (and shared real ones) into the corpus
fuzz-seed:
	@mkdir -p $(FUZZ_CORPUS)
	@if [ -d $(FUZZ_SEEDS_FIXTURES) ]; then \
		find $(FUZZ_SEEDS_FIXTURES) -type f -name '*.yml' | while IFS= read -r f; do \
			n=$$(printf '%s' "$${f#$(FUZZ_SEEDS_FIXTURES)/}" | tr '/' '_'); \
			cp "$$f" "$(FUZZ_CORPUS)/fixture_$$n"; \
		done; \
	fi
	@if [ -d $(FUZZ_SEEDS_REAL) ]; then \
		for f in $(FUZZ_SEEDS_REAL)/*.yml; do \
			[ -f "$$f" ] && cp "$$f" "$(FUZZ_CORPUS)/real_$$(basename "$$f")"; \
		done; true; \
	fi
	@echo "fuzz corpus $(FUZZ_CORPUS): $$(find $(FUZZ_CORPUS) -type f | wc -l) files"

## fuzz-build: only build the instrumented target
fuzz-build: fuzz-install
	$(FUZZ_CARGO) build $(FUZZ_FLAGS) $(FUZZ_TARGET)

## fuzz-repro: run one input once, e.g. FUZZ_ARTIFACT=fuzz/artifacts/parse_validate/crash-<sha1>
fuzz-repro: fuzz-install
	@[ -n "$(FUZZ_ARTIFACT)" ] || { echo "set FUZZ_ARTIFACT=path/to/crash-file" >&2; exit 2; }
	RUST_BACKTRACE=1 $(FUZZ_CARGO) run $(FUZZ_FLAGS) $(FUZZ_TARGET) $(FUZZ_ARTIFACT)

## fuzz-tmin: minimise FUZZ_ARTIFACT; the result goes to fuzz/artifacts/<target>/minimized-from-*
fuzz-tmin: fuzz-install
	@[ -n "$(FUZZ_ARTIFACT)" ] || { echo "set FUZZ_ARTIFACT=path/to/crash-file" >&2; exit 2; }
	$(FUZZ_CARGO) tmin $(FUZZ_FLAGS) $(FUZZ_TARGET) $(FUZZ_ARTIFACT)

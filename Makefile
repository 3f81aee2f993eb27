# Thin wrapper over CMake: the two commands a newcomer needs are `make run` and `make test`.
JOBS ?= $(shell nproc)
MAKEFLAGS += --no-print-directory
BUILD ?= build
ASAN_BUILD ?= build-asan

.PHONY: all deps run web test test-plain test-asan clean accuracy bench bench-api bench-patrol fuzz

all: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

deps:
	@scripts/install-deps.sh

# The main job: build the C code and the web app, then serve the demo city on
# http://127.0.0.1:8080 (var/pubguard.db is created and seeded on first start; the demo
# logins are printed and written to var/demo-logins.txt). Ctrl-C stops it.
run: all web
	@mkdir -p var
	$(BUILD)/pubguard serve --db var/pubguard.db --listen 127.0.0.1:8080 --web web/dist \
		--demo --logins var/demo-logins.txt

# The web app (web/): npm ci when package-lock.json changed, then a production build.
web:
	@scripts/build-web.sh

# Everything: install what is missing, build with warnings as errors, run every test,
# then again under AddressSanitizer + UndefinedBehaviorSanitizer.
test: deps test-plain test-asan

test-plain: web
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPGD_WERROR=ON >/dev/null
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan:
	CC=clang cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DPGD_WERROR=ON -DPGD_SANITIZE=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)

# Precision and recall per category on the labelled corpus in tests/corpus.
accuracy: all
	PGD_DATA_DIR=$(CURDIR)/data python3 scripts/accuracy.py --bin $(BUILD)/pubguard tests/corpus

bench: all
	scripts/install-deps.sh --bench
	bench/run.sh

# API latency under wrk with 1,000 units, 10,000 platforms and a million audit entries.
bench-api: all
	scripts/install-deps.sh --bench
	PGD_BUILD=$(BUILD) bench/api/run.sh

# pubguard patrol against linkchecker, linkinator, broken-link-checker and wget2 on a generated
# 5,000-page site (loopback, 20 ms per request); installs those tools itself. Options: PATROL_ARGS.
bench-patrol: all
	PUBGUARD=$(BUILD)/pubguard bench/patrol/run.sh $(PATROL_ARGS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)

# PocketBase 0.40 needs Go 1.27; the go command fetches this toolchain itself.
export GOTOOLCHAIN := go1.27.3

BIN      := toolbase
ADDR     ?= 127.0.0.1:8090
DATA     ?= ./pb_data
FUZZTIME ?= 10s

.PHONY: build run test bench fuzz lint clean vendor screenshots webtest soak

build:
	go build -o $(BIN) .

run: build
	./$(BIN) serve --http $(ADDR) --dir $(DATA)

# tests run in parallel (t.Parallel, each on its own app); -parallel 4 keeps
# two cores busy while some tests wait (PocketBase's log flush, realtime, binaries)
test:
	go test -count=1 -parallel 4 -timeout 15m ./...

# the replica drill's crash, restore and resume, SOAK rounds, with CPU load
# (uses that commit twice; see replica_soak_test.go)
SOAK ?= 20
soak:
	TOOLBASE_DRILL_SOAK=$(SOAK) TOOLBASE_DRILL_STRESS=1 TOOLBASE_DRILL_RESUME=1 go test -count=1 -timeout 60m -run 'TestRestoreDrillSoak' -v .

# a real server under load on 127.0.0.1; see bench/main.go for the flags
bench: build
	go run ./bench -bin ./$(BIN) $(BENCHFLAGS)

# explore the DRF API's write bodies for longer than `make test` does
fuzz:
	go test ./hooks -run '^$$' -fuzz FuzzDRFWriteBodies -fuzztime $(FUZZTIME)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	go vet ./...

clean:
	rm -f $(BIN)

# The web app's third-party code (pb_public/vendor/), at pinned versions: npm
# fetches the exact tarballs (checked against the registry's integrity), the
# tarballs' SHA-512 must match the ones below, and only the files the app
# loads are copied, with their licences. Needs npm; `make run` and `make test`
# never do.
PB_JS_VERSION     := 0.28.1
PB_JS_SHA512      := ff78a192afabbdf72cd0c420acae2c10494e83a81f7a71d6f52fcefb70523be575c93fb8075d3ef5a4f6dae4d050fab37bd22dc0db705b26396667605424dd54
UPLOT_VERSION     := 1.6.32
UPLOT_SHA512      := 2883159c6ebccefbb95d751b0b82d010f9e1c0ec41b8bc96d401eda66e882935c89a46cb824332fa369b8cb8122cc6ac36e186cd09bf7a9ded3a4c93c6989023
VENDOR            := $(CURDIR)/pb_public/vendor

vendor:
	@command -v npm >/dev/null || { echo "make vendor needs npm (apt-get install -y npm)"; exit 1; }
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; cd "$$tmp"; \
	npm pack --silent pocketbase@$(PB_JS_VERSION) uplot@$(UPLOT_VERSION) >/dev/null; \
	echo "$(PB_JS_SHA512)  pocketbase-$(PB_JS_VERSION).tgz" | sha512sum -c --quiet; \
	echo "$(UPLOT_SHA512)  uplot-$(UPLOT_VERSION).tgz" | sha512sum -c --quiet; \
	mkdir pb up; tar xzf pocketbase-$(PB_JS_VERSION).tgz -C pb; tar xzf uplot-$(UPLOT_VERSION).tgz -C up; \
	rm -rf "$(VENDOR)/pocketbase" "$(VENDOR)/uplot"; mkdir -p "$(VENDOR)/pocketbase" "$(VENDOR)/uplot"; \
	cp pb/package/dist/pocketbase.es.mjs pb/package/LICENSE.md "$(VENDOR)/pocketbase/"; \
	cp up/package/dist/uPlot.esm.js up/package/dist/uPlot.min.css up/package/LICENSE "$(VENDOR)/uplot/"; \
	echo "vendored pocketbase $(PB_JS_VERSION) and uplot $(UPLOT_VERSION) into pb_public/vendor/"

# the web app's browser tests alone (Debian's chromium; see webapp_test.go)
webtest:
	go test -count=1 -run 'TestWebApp' -v .

# refresh docs/screenshots/ (each page at phone and desktop width)
screenshots:
	TOOLBASE_SCREENSHOTS=$(CURDIR)/docs/screenshots go test -count=1 -run 'TestWebAppScreenshots' -v .

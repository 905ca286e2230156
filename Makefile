# PocketBase 0.40 needs Go 1.27; the go command fetches this toolchain itself.
export GOTOOLCHAIN := go1.27.3

BIN      := toolbase
ADDR     ?= 127.0.0.1:8090
DATA     ?= ./pb_data
FUZZTIME ?= 10s

.PHONY: build run test bench fuzz lint clean

build:
	go build -o $(BIN) .

run: build
	./$(BIN) serve --http $(ADDR) --dir $(DATA)

# tests run in parallel (t.Parallel, each on its own app); -parallel 4 keeps
# two cores busy while some tests wait (PocketBase's log flush, realtime, binaries)
test:
	go test -count=1 -parallel 4 -timeout 15m ./...

# a real server under load on 127.0.0.1; see bench/main.go for the flags
bench: build
	go run ./bench -bin ./$(BIN) $(BENCHFLAGS)

# explore the seed API's write bodies for longer than `make test` does
fuzz:
	go test ./hooks -run '^$$' -fuzz FuzzSeedWriteBodies -fuzztime $(FUZZTIME)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	go vet ./...

clean:
	rm -f $(BIN)

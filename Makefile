# Scale-to-zero for ECS Fargate. `make run` starts the local stack, `make test` runs every test.
SHELL := /bin/bash
GO ?= go
BUILD := build
FUNCTIONS := wake autosleep
LOCAL_TOOLS := devstack demoapp
LAMBDA_FLAGS := -tags lambda.norpc -trimpath -ldflags='-s -w -buildid='

.PHONY: all help build run test lint lint-api unit fuzz bench bench-scale package size clean report-screenshot

all: build

## help: this list: each target and what it does
help:
	@awk '/^## [a-z-]+: / { line = substr($$0, 4); i = index(line, ": "); printf "  %-14s %s\n", substr(line, 1, i - 1), substr(line, i + 2) }' $(firstword $(MAKEFILE_LIST))

## build: the functions and the local tools for this machine, into build/
build:
	@mkdir -p $(BUILD)
	@for f in $(FUNCTIONS); do $(GO) build -tags lambda.norpc -o $(BUILD)/$$f ./functions/$$f || exit 1; done
	@for c in $(LOCAL_TOOLS); do $(GO) build -o $(BUILD)/$$c ./cmd/$$c || exit 1; done

## run: the emulator, a sleeping demo service, the local scheduler and the functions; Ctrl-C prints the savings report and stops all
run: build
	$(BUILD)/devstack -wake-bin $(BUILD)/wake -autosleep-bin $(BUILD)/autosleep -demoapp-bin $(BUILD)/demoapp

## test: formatting, vet, staticcheck, the OpenAPI lint, then every test (unit and end-to-end against the emulator)
test: lint lint-api
	$(GO) test -race -count=1 -timeout 30m -skip '^TestWakeAtScale$$' ./...
	@# Wake at scale measures calls a second and delays under Lambda's concurrency: it runs alone,
	@# so the other packages' tests do not load the machine it measures.
	$(GO) test -race -count=1 -timeout 30m -run '^TestWakeAtScale$$' ./functions/wake/

## lint: gofmt, go vet and staticcheck
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

## lint-api: the OpenAPI spec against Redocly's rules (redocly.yaml); the first run installs Redocly CLI into build/ with npm
# Pinned: 2.x installs on Node.js 20.19 or later (one package, no dependencies). On Node 20 it prints a
# banner that its later releases will need Node 22; the sed drops that banner, not the lint's findings.
REDOCLY_VERSION := 2.77.0
REDOCLY := $(BUILD)/redocly-$(REDOCLY_VERSION)/node_modules/.bin/redocly
lint-api: $(REDOCLY)
	@set -o pipefail; REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_NOTIFICATIONS=true \
	  $(REDOCLY) lint --config redocly.yaml --format=stylish api/openapi.json 2>&1 | sed '/[╔║╚]/d;/^$$/d'

$(REDOCLY):
	@command -v npm >/dev/null || { echo "lint-api: npm is missing (Node.js 20.19 or later with npm installs Redocly CLI)" >&2; exit 1; }
	npm install --silent --no-audit --no-fund --prefix $(BUILD)/redocly-$(REDOCLY_VERSION) @redocly/cli@$(REDOCLY_VERSION)

## unit: the fast tests only (no emulator)
unit:
	$(GO) test -count=1 -short ./...

## fuzz: every fuzz target (func FuzzXxx in a *_test.go) in turn, each for FUZZTIME (a duration, or a count of inputs: 10000x); plain `go test` runs only their seed corpora
FUZZTIME ?= 30s
fuzz:
	@set -e; for file in $$(grep -rl --include='*_test.go' '^func Fuzz' internal functions cmd | sort); do \
	  pkg=./$$(dirname $$file); \
	  for name in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)([a-z]* \*testing\.F).*/\1/p' $$file); do \
	    echo "fuzz: $$name in $$pkg for $(FUZZTIME)"; \
	    $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

## bench: start-up: each function's Init under the Lambda Runtime API beside an empty aws-lambda-go function, and Wake's first answer (medians over 20 starts)
bench:
	$(GO) test -run '^$$' -bench . -benchtime 20x ./functions/...

## bench-traffic: bytes on the wire of a page view, a small request, a TCP probe and a WebSocket heartbeat (run alone: it counts loopback)
bench-traffic:
	@echo "| pattern | bytes on the wire (both ways) | once a minute, in Container Insights' unit |"
	@echo "|---|---|---|"
	@$(GO) test -run '^$$' -bench WireBytes -benchtime 2000x ./cmd/demoapp/ | \
	  awk -F'\t' '/wire-bytes\/op/ { name=$$1; sub(/^BenchmarkWireBytesOfTrafficPatterns\//, "", name); sub(/-[0-9]+ *$$/, "", name); gsub(/_/, " ", name); \
	    split($$4, v, " "); printf "| %s | %d | %.1f bytes/second |\n", name, v[1], v[1]/60 }'

## bench-scale: Wake under Lambda's concurrency and ECS's throttling, full size, beside the design before SCALE_BASELINE; prints a table (MEMORY_MB=…: Wake's memory, the module's default otherwise)
# The design before this one: the last commit before the read budget and the tokens.
SCALE_BASELINE ?= 373c9ba
bench-scale:
	@mkdir -p $(BUILD)
	@rm -rf $(BUILD)/baseline-src && mkdir -p $(BUILD)/baseline-src
	@if git archive $(SCALE_BASELINE) 2>/dev/null | tar -x -C $(BUILD)/baseline-src && \
	   (cd $(BUILD)/baseline-src && $(GO) build -tags lambda.norpc -o ../baseline-wake ./functions/wake); then \
	  echo "baseline: Wake at $(SCALE_BASELINE)"; baseline=$(abspath $(BUILD)/baseline-wake); \
	else echo "baseline $(SCALE_BASELINE) not in this clone: measuring this design only"; baseline=; fi; \
	SCALE=full SCALE_MEMORY_MB=$(MEMORY_MB) SCALE_BASELINE_BIN=$$baseline $(GO) test -run '^TestWakeAtScale$$' -v -count=1 -timeout 60m ./functions/wake/ \
	  | grep -E '^\s+\|' | sed -E 's/^\s+//'

## package: each function as a stripped linux/arm64 bootstrap for provided.al2023, zipped
package:
	@mkdir -p $(BUILD)/lambda
	@for f in $(FUNCTIONS); do \
	  mkdir -p $(BUILD)/lambda/$$f && \
	  CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build $(LAMBDA_FLAGS) -o $(BUILD)/lambda/$$f/bootstrap ./functions/$$f && \
	  (cd $(BUILD)/lambda/$$f && rm -f ../$$f.zip && zip -q -X ../$$f.zip bootstrap) || exit 1; \
	  echo "$(BUILD)/lambda/$$f.zip"; \
	done

## size: each packaged bootstrap and zip against its budget; fails when one is over
# function:bootstrap:zip, in bytes (MB = 10^6). Wake is measured at 49.0 / 11.2 MB,
# Auto-Sleep at 13.8 / 4.6 MB. The SDK's RDS client (databases that sleep with their
# service) added 4.2 MB to Wake (44.7 -> 48.9; its budget was 45, now that plus 0.6)
# and 1.4 MB to Auto-Sleep; the savings report 0.4 MB and the metrics 0.1 MB more
# (Auto-Sleep's budget: 13.2 plus a fifth).
SIZE_BUDGET := wake:49500000:12000000 autosleep:16000000:5000000
size: package
	@fail=0; for budget in $(SIZE_BUDGET); do \
	  IFS=: read -r f bmax zmax <<< "$$budget"; \
	  b=$$(stat -c %s $(BUILD)/lambda/$$f/bootstrap); z=$$(stat -c %s $(BUILD)/lambda/$$f.zip); \
	  printf '%-10s bootstrap %8d bytes (budget %8d)   zip %8d bytes (budget %8d)\n' $$f $$b $$bmax $$z $$zmax; \
	  if [ $$b -gt $$bmax ] || [ $$z -gt $$zmax ]; then echo "$$f is over its size budget" >&2; fail=1; fi; \
	done; exit $$fail

## report-screenshot: the savings report's HTML page of sample data in headless Chromium, into docs/savings-report.png
report-screenshot:
	REPORT_SCREENSHOT=$(CURDIR)/docs/savings-report.png $(GO) test -count=1 -run '^TestTheHTMLReportRendersInChromium$$' ./internal/savings/

## clean: remove build/ (the binaries, the packages, the logs)
clean:
	rm -rf $(BUILD)

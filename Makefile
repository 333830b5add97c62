# The two set-up commands (README): `make demo` and `make test`.
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?=

.PHONY: all deps test-deps bench-deps build demo test bench bench-quick deb clean

all: build

deps:
	@scripts/setup-deps.sh build

test-deps:
	@scripts/setup-deps.sh test

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# Builds, then runs an example program under the library and shows its report.
demo: build
	@scripts/demo.sh $(BUILD)

# Builds, then runs every test (unit, API conformance through LD_PRELOAD, stress, real programs).
test: test-deps build
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS) --timeout 900

# Builds, then the Debian package: $(BUILD)/debugmalloc_<version>_<arch>.deb (apt install ./$(BUILD)/debugmalloc_*.deb).
deb: build
	@cd $(BUILD) && cpack -G DEB

bench-deps:
	@scripts/setup-deps.sh bench

bench: bench-deps build
	@bench/run.sh

bench-quick: bench-deps build
	@bench/run.sh --quick

clean:
	rm -rf $(BUILD)

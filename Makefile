# The two commands of the README: `make demo` and `make test`.
.PHONY: demo test deps build

deps:
	scripts/install-system-packages.sh

build: deps
	swift build

# Runs the demo on a throwaway redis-server (or on $REDIS_URL).
demo: deps
	swift run event-broker demo

# Runs every test: Swift unit and integration tests against throwaway redis-servers.
test: deps
	swift build --build-tests
	swift test

# The two commands of the README: `make demo` and `make test`.
.PHONY: demo test deps build lint test-scripts

deps:
	scripts/install-system-packages.sh

build: deps
	swift build

# Builds the Examples package and runs the demo on a throwaway redis-server (or on $REDIS_URL).
demo: deps
	swift run event-broker demo

# Lints the Lua scripts twice over: the SwiftPM command plugin and the CLI.
lint: deps
	swift package lint-scripts
	swift run event-broker lint

# Runs every Lua script test on the embedded Redis model and on a throwaway redis-server.
test-scripts: deps
	swift run event-broker test-scripts --backend both

# Runs everything: lint, the script tests on both backends, builds the Examples package (whose
# services the demo's end-to-end test runs), then every Swift test (unit and integration tests
# start their own redis-servers), then the behaviour suite again with every broker logged in as
# the least-privilege ACL user of BrokerACL (docs/SECURITY.md), then with the per-service slot
# placement, then the behaviour suite and the CLI's Redis commands again on a Redis Cluster of
# three masters per test, and the behaviour suite on a cluster with the per-service placement
# (the cluster suite, which makes clusters of its own, ran in the first run), then the tests of
# the observability benchmark's package.
test: lint test-scripts
	swift build --package-path Examples
	swift build --build-tests
	scripts/swift-test.sh
	EVENT_BROKER_TEST_ACL=1 scripts/swift-test.sh --skip-build --filter RedisEventBrokerTests --skip ClusterTests
	EVENT_BROKER_TEST_PLACEMENT=per-service scripts/swift-test.sh --skip-build --filter RedisEventBrokerTests --skip ClusterTests
	EVENT_BROKER_TEST_CLUSTER=1 scripts/swift-test.sh --skip-build --skip ClusterTests \
		--filter 'RedisEventBrokerTests|EventBrokerCLITests.(Inspect|Publish|Tail|DeadLetters|Checker)CommandTests'
	EVENT_BROKER_TEST_CLUSTER=1 EVENT_BROKER_TEST_PLACEMENT=per-service scripts/swift-test.sh --skip-build \
		--filter RedisEventBrokerTests --skip ClusterTests
	swift build --package-path Benchmarks/Observability --build-tests
	scripts/swift-test.sh --package-path Benchmarks/Observability

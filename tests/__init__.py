"""The harness's own tests: unit tests of its pure parts and pytester runs of the real suites."""

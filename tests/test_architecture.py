"""The harness's house plan, drawn from its imports (grimp): no import cycle at any floor, no module
over 500 lines, and a static run that imports no container library, beyond the explicit lists of
known exceptions below, each with its reason.

An import inside a function counts as an import: hiding one there breaks no cycle, it only hides it.
A TYPE_CHECKING import does not count (it never runs). Each list only shrinks: an entry that is no
longer true fails too, so the list says what is left to mend (issue 26)."""

import json
import subprocess
import sys

import grimp
import pytest

from tests.layout import REFERENCE_STACK, ROOT

PACKAGES = ("fixtures", "reports")  # suites/ and conftest.py only import: no cycle can run through them
MAX_LINES = 500

# importer -> imported, both children of one package: the arrows that run back up a floor and close a
# cycle among that package's children (as grimp's nominate_cycle_breakers names them).
KNOWN_BACK_ARROWS = {
}

# Relative path -> why it is still over MAX_LINES.
KNOWN_LARGE = {
}

# Modules only a container needs; a static run starts none. docker and requests may still load:
# every run, static included, removes what killed runs left in the engine (fixtures/plugin/configure.py's pytest_sessionstart).
CONTAINER_ONLY = ("testcontainers", "fixtures.services.base", "fixtures.services.model", "fixtures.services.environment")


@pytest.fixture
def graph():
    return grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True, cache_dir=None)


def packages(graph) -> list[str]:
    return sorted(m for m in graph.modules if graph.find_children(m))


def back_arrows(graph) -> set[tuple[str, str]]:
    return {arrow for package in packages(graph) for arrow in graph.nominate_cycle_breakers(package)}


def sides(importer: str, imported: str) -> tuple[str, str]:
    """The two children of the floor (the package holding both) that an arrow joins."""
    common = 0
    while importer.split(".")[common] == imported.split(".")[common]:
        common += 1
    return ".".join(importer.split(".")[:common + 1]), ".".join(imported.split(".")[:common + 1])


def test_no_new_import_cycle(graph):
    """With the known back arrows taken out, no cycle is left at any floor: a new one names itself."""
    for importer, imported in KNOWN_BACK_ARROWS:
        if graph.direct_import_exists(importer=importer, imported=imported):
            graph.remove_import(importer=importer, imported=imported)
    new = back_arrows(graph)
    details = {f"{a} -> {b}": [f"{d['importer']}:{d['line_number']} {d['line_contents']}"
                                for d in graph.get_import_details(importer=a, imported=b)] for a, b in sorted(new)}
    assert not new, ("new import cycles; each arrow below runs back up a floor (move the shared piece down "
                     f"instead, or list it with its reason): {json.dumps(details, indent=2)}")


def test_known_back_arrows_still_close_a_cycle(graph):
    """An arrow that is gone, or no longer closes a cycle, leaves the list: the list only shrinks."""
    stale = []
    for importer, imported in KNOWN_BACK_ARROWS:
        source, target = sides(importer, imported)
        if not (graph.direct_import_exists(importer=importer, imported=imported)
                and graph.chain_exists(importer=target, imported=source, as_packages=True)):
            stale.append(f"{importer} -> {imported}")
    assert not stale, f"no longer part of a cycle, take them out of KNOWN_BACK_ARROWS: {stale}"


def test_no_new_large_module():
    sizes = {str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
             for folder in (*PACKAGES, "suites") for path in (ROOT / folder).rglob("*.py")}
    sizes["conftest.py"] = len((ROOT / "conftest.py").read_text(encoding="utf-8").splitlines())
    large = {path: lines for path, lines in sizes.items() if lines > MAX_LINES}
    new = {path: lines for path, lines in large.items() if path not in KNOWN_LARGE}
    assert not new, f"modules over {MAX_LINES} lines (split by concern): {new}"
    stale = sorted(set(KNOWN_LARGE) - set(large))
    assert not stale, f"no longer over {MAX_LINES} lines, take them out of KNOWN_LARGE: {stale}"


def test_static_run_imports_no_container_library(tmp_path):
    """Collecting the suites for a static run (every suite module is imported, live ones too) loads
    no container library: they cost most of a static run's start-up and it starts no container."""
    probe = (
        "import json, sys, pytest\n"
        f"code = pytest.main(['suites', '-m', 'not live', '--collect-only', '-q', '-p', 'no:cacheprovider',"
        f" '--stack', {str(REFERENCE_STACK)!r}, '--report-dir', {str(tmp_path)!r}])\n"
        f"print('LOADED', json.dumps([m for m in sys.modules if m.startswith({CONTAINER_ONLY!r})]), int(code))\n")
    done = subprocess.run([sys.executable, "-c", probe], check=False, cwd=ROOT, capture_output=True, text=True, timeout=300)
    line = next((line for line in done.stdout.splitlines() if line.startswith("LOADED ")), None)
    assert line, f"the probe did not finish (exit {done.returncode}): {done.stdout[-2000:]}{done.stderr[-2000:]}"
    loaded, code = line.removeprefix("LOADED ").rsplit(" ", 1)
    assert code == "0", f"collecting the suites failed: {done.stdout[-2000:]}"
    assert not json.loads(loaded), (f"a static run imported {json.loads(loaded)}: import the service module where "
                                    "the container starts, or move what the static check needs out of it")

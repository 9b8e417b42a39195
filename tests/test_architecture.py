"""The harness's house plan, drawn from its imports (grimp): no import cycle at any floor, no module
over 500 lines, a static run that imports no container library, and no import of a harness module
inside a function but where a container starts, beyond the explicit lists of known exceptions below,
each with its reason.

An import inside a function counts as an import: hiding one there breaks no cycle, it only hides it.
A TYPE_CHECKING import does not count (it never runs). Each list only shrinks: an entry that is no
longer true fails too, so the list says what is left to mend (issue 26)."""

import ast
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
# The third-party libraries a container needs and a static run does not load: a harness module that
# loads one when imported is imported inside the function that starts its container. Every other
# import of a harness module stands at its module's top (a cycle it shows is mended by moving the
# piece to its floor, not by hiding the import).
HEAVY = ("testcontainers", "docker", "requests", "opentelemetry")
HARNESS = ("fixtures", "reports", "suites")


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


def _imports(tree: ast.Module) -> tuple[set[str], list[tuple[int, str]]]:
    """(what a module imports when it is imported, [(line, module)] of what its functions import).
    A TYPE_CHECKING block never runs; ``from a import b`` names ``a`` and ``a.b`` (a module or not)."""
    top: set[str] = set()
    local: list[tuple[int, str]] = []

    def names(node) -> list[str]:
        if isinstance(node, ast.Import):
            return [alias.name for alias in node.names]
        return [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)] if node.module else []

    def visit(body, in_function: bool) -> None:
        for node in body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                if in_function:
                    local.extend((node.lineno, name) for name in names(node)[:1] if name)
                else:
                    top.update(names(node))
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(node.body, True)
            elif isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
                continue
            else:
                visit([child for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt)], in_function)

    visit(tree.body, False)
    return top, local


def test_no_function_local_import_of_a_harness_module():
    """A harness module is imported at the top of the module using it, where its cycle would show;
    inside a function only where it loads a container library (HEAVY) when imported."""
    modules = {".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): path
               for folder in HARNESS for path in (ROOT / folder).rglob("*.py")}
    modules["conftest"] = ROOT / "conftest.py"
    imports = {name: _imports(ast.parse(path.read_text(encoding="utf-8"))) for name, path in modules.items()}

    def loads_heavy(name: str, seen: set[str]) -> bool:
        seen.add(name)
        found = imports[name][0]
        return any(module.startswith(HEAVY) for module in found) or any(
            loads_heavy(module, seen) for module in found if module in imports and module not in seen)

    hidden = [f"{modules[name].relative_to(ROOT)}:{line} imports {imported}"
              for name, (_, local) in sorted(imports.items()) for line, imported in local
              if imported.startswith(HARNESS) and not loads_heavy(imported, set())]
    assert not hidden, ("imports of harness modules inside functions (move each to its module's top; a cycle "
                        "that shows is mended by moving the function to its floor): " + "; ".join(hidden))

#!/usr/bin/env python3
"""Check a packaged plugin zip against the Grafana catalog rules we can check here.

    python3 scripts/check-package.py [--sources src] dist/calicoscope-app-0.1.0.zip

Rules: zip named <id>-<version>.zip with one root folder named after the id; member names
as Grafana's installer (grafana cli --pluginUrl, [plugins] preinstall) takes them: relative,
no ../ or backslash, no symlink, each under the root folder; the files the catalog wants at
the root; every plugin.json (app and nested) valid by Grafana's metadata
rules (id pattern and type, version and release date equal to package.json and CHANGELOG.md,
logos and screenshots present, a grafanaDependency range, app includes that resolve, pages under /a/<id>/); the
backend executables for linux/amd64, linux/arm64 (ELF for the right machine, no debug
sections) and windows/amd64 (PE32+ x86-64), mode 0755, none carrying the test harness; the panel's wasm and its
wasm-bindgen glue exporting none of the panel's test hooks, and no module.js, glue or wasm
hanging a panel's hooks on the DOM; module.js with its source map beside it; no debug or
stray files.
With --sources DIR (the frontend's src/): every source map's sources (webpack://<id>/./...,
except webpack's runtime, externals and node_modules) carry the text of DIR's file of that
path, as the validator's jssourcemap checks them. README.md has no relative links or images
(the validator's brokenlinks: the catalog page shows it without the repository).
Prints one line per failed rule and exits 1 if any failed.

    python3 scripts/check-package.py --scan FILE...

Only the test-scaffolding rules, on loose files (the package test shows they fire).
"""
import json
import re
import stat
import sys
import zipfile
from pathlib import PurePosixPath

ID_PATTERN = re.compile(r"^[0-9a-z]+-([0-9a-z]+-)?(app|panel|datasource)$")
RANGE = re.compile(r"^(>=|>|=|~|\^)?\d+\.\d+\.\d+(-\S+)?( <\d+\.\d+\.\d+)?$")
ELF_MACHINE = {"amd64": 62, "arm64": 183}
STRAY = re.compile(r"(^|/)(\.DS_Store|standalone\.txt|pid\.txt|node_modules|\.git)(/|$)|\.(pdb|dSYM|d|o|log)$")
ROOT_FILES = ["plugin.json", "module.js", "module.js.map", "README.md", "CHANGELOG.md", "LICENSE"]

# Texts that exist only in the test scaffolding: Grafana's side of the protocol (the
# calicoscope-host crate) and the backend's fuzz entry points (feature "fuzzing").
HARNESS = {
    b"plugin must listen on loopback": "calicoscope-host (Grafana's side of the plugin protocol)",
    b"encoded frames decode": "the backend's fuzz entry points (feature fuzzing)",
}

# The panel's test and benchmark hooks (calicoscope-panel's feature test-hooks, which only
# `build-panel.sh --test-hooks` enables, for the browser tests and benchmarks), by kind:
# wasm-bindgen exports a function under its name, a class's methods as <class>_<method> (the
# class lower-cased) and its destructor as __wbg_<class>_free; the glue exports functions and
# classes by name and calls each wasm export as wasm.<name>.
PANEL_HOOKS = {
    "panic_for_test": "function",
    "bench_heatmap": "function",
    "bench_topology": "function",
    "bench_flows": "function",
    "TestHooks": "class",  # locate, colour, draws, memory_bytes of a mounted panel
    # The accessors the product's Panel handle carried before they moved to TestHooks.
    "Panel.locate": "method",
    "Panel.colour": "method",
    "Panel.draws": "method",
    "Panel.memory_bytes": "method",
}
# The property of a panel's container that the test build hangs its TestHooks on (module.js
# once hung the Panel handle there).
PANEL_DOM_HOOK = b"calicoscopePanel"

# Grafana's installer (grafana/grafana pkg/plugins/storage/fs.go, used by grafana cli
# --pluginUrl and by [plugins] preinstall) refuses members with absolute or ../ names, skips
# symlinks that leave the plugin, renames the first path component matching GIT_BUILD to the
# plugin id it was asked to install, reads plugin.json at the root of that folder, and gives
# mode 0755 to files ending in EXEC_SUFFIXES whatever their mode in the zip (others keep it).
GIT_BUILD = re.compile(r"^[a-zA-Z0-9_.-]*/")
EXEC_SUFFIXES = ("_linux_amd64", "_linux_arm", "_linux_arm64", "_darwin_amd64", "_darwin_arm64", "_windows_amd64.exe")

failures = []


def fail(msg):
    failures.append(msg)
    print(f"check-package: FAIL {msg}")


def main(zip_path, sources=None):
    name = PurePosixPath(zip_path).name
    m = re.match(r"^(.+)-(\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)\.zip$", name)
    if not m:
        fail(f"{name}: not named <id>-<version>.zip")
        return
    plugin_id, version = m.groups()
    z = zipfile.ZipFile(zip_path)
    check_install_layout(z)
    infos = {i.filename.rstrip("/"): i for i in z.infolist()}
    roots = {n.split("/")[0] for n in infos}
    if roots != {plugin_id}:
        fail(f"the zip must hold one root folder {plugin_id}/, it holds {sorted(roots)}")
        return
    files = {n[len(plugin_id) + 1 :]: i for n, i in infos.items() if not i.is_dir() and "/" in n}
    read = lambda rel: z.read(f"{plugin_id}/{rel}")

    for f in ROOT_FILES:
        if f not in files:
            fail(f"{f} missing at the root")
    for f in files:
        if STRAY.search(f):
            fail(f"{f}: debug or stray file")
    for f in files:
        if f.endswith("module.js") and f + ".map" not in files:
            fail(f"{f} has no source map beside it")

    if sources is not None:
        for f in sorted(files):
            if f.endswith("module.js.map"):
                check_source_map(f, json.loads(read(f)), plugin_id, sources)
    if "README.md" in files:
        for link in re.findall(r"\]\(([^)\s]+)\)", read("README.md").decode()):
            if not re.match(r"^(https?://|mailto:|#)", link):
                fail(f"README.md: relative link {link} (broken on the catalog page)")

    changelog = read("CHANGELOG.md").decode() if "CHANGELOG.md" in files else ""
    dated = re.search(rf"^## {re.escape(version)} \((\d{{4}}-\d{{2}}-\d{{2}})\)", changelog, re.M)
    if not dated:
        fail(f"CHANGELOG.md has no '## {version} (YYYY-MM-DD)' entry")

    manifests = {f: json.loads(read(f)) for f in files if PurePosixPath(f).name == "plugin.json"}
    for path, meta in manifests.items():
        check_manifest(path, meta, version, dated.group(1) if dated else None, files)
    app = manifests.get("plugin.json", {})
    if app.get("id") != plugin_id:
        fail(f"plugin.json id {app.get('id')!r} is not the zip's id {plugin_id!r}")
    for inc in app.get("includes", []):
        path = inc.get("path")
        if inc.get("type") == "page":
            # An app page is a route of the app's root page, not a file.
            if not str(path).startswith(f"/a/{plugin_id}/"):
                fail(f"include {inc}: a page's path must start with /a/{plugin_id}/")
            continue
        if path not in files:
            fail(f"include {inc}: {path} not in the package")
        elif inc["type"] in ("datasource", "panel"):
            if manifests.get(path, {}).get("type") != inc["type"]:
                fail(f"include {path}: its plugin.json is not a {inc['type']}")
        elif inc["type"] == "dashboard":
            dash = json.loads(read(path))
            if not dash.get("uid") or not dash.get("panels"):
                fail(f"dashboard {path}: no uid or no panels")
    for path, meta in manifests.items():
        if meta.get("backend"):
            check_backend(PurePosixPath(path).parent, meta, files, z, plugin_id)
        if meta.get("type") == "panel":
            base = PurePosixPath(path).parent
            code = [f for f in files if PurePosixPath(f).is_relative_to(base) and f.endswith((".js", ".wasm"))]
            if not any(f.endswith(".wasm") for f in code):
                fail(f"{base}/: the panel has no wasm")
            for f in sorted(code):
                check_no_panel_hooks(f, read(f))
    print(f"check-package: {len(files)} files, {len(manifests)} plugin.json, " + ("FAILED" if failures else "ok"))


def check_install_layout(z):
    """Member names and kinds as Grafana's installer extracts them (see GIT_BUILD)."""
    for info in z.infolist():
        name = info.filename
        if name.startswith("/") or "\\" in name or ".." in name.split("/"):
            fail(f"{name}: absolute, ../ or backslash member name (Grafana's installer refuses or misplaces it)")
        elif not GIT_BUILD.match(name):
            fail(f"{name}: not under a root folder (Grafana's installer would write it into the plugins folder itself)")
        if stat.S_ISLNK(info.external_attr >> 16):
            fail(f"{name}: a symlink (Grafana's installer skips links that leave the plugin; ship the file)")


def check_source_map(path, smap, plugin_id, sources):
    """The sources a map names are the project's files, byte for byte (jssourcemap)."""
    names, texts = smap.get("sources", []), smap.get("sourcesContent", [])
    if not names or len(names) != len(texts):
        fail(f"{path}: sources and sourcesContent missing or of different lengths")
        return
    ours = 0
    for name, text in zip(names, texts):
        rel = re.sub(r"^webpack://" + re.escape(plugin_id) + r"/", "", name)
        if rel.startswith(("external ", "webpack/", "./node_modules/", "../node_modules/")) or rel.endswith((".css", ".json", ".svg")):
            continue
        ours += 1
        try:
            with open(PurePosixPath(sources) / rel, encoding="utf-8") as f:
                if f.read() != text:
                    fail(f"{path}: {rel} differs from {sources}/{rel}")
        except FileNotFoundError:
            fail(f"{path}: {rel} is not in {sources}/")
    if ours == 0:
        fail(f"{path}: names none of the sources in {sources}/")


def check_manifest(path, meta, version, date, files):
    base = PurePosixPath(path).parent
    rel = lambda p: str(base / p) if str(base) != "." else p
    pid, kind = meta.get("id", ""), meta.get("type")
    if not ID_PATTERN.match(pid) or not pid.endswith("-" + str(kind)):
        fail(f"{path}: id {pid!r} does not match Grafana's pattern for a {kind}")
    if not meta.get("name"):
        fail(f"{path}: no name")
    info = meta.get("info", {})
    if info.get("version") != version:
        fail(f"{path}: info.version {info.get('version')!r} is not the package version {version}")
    if date and info.get("updated") != date:
        fail(f"{path}: info.updated {info.get('updated')!r} is not the CHANGELOG date {date}")
    for size in ("small", "large"):
        logo = info.get("logos", {}).get(size)
        if not logo or rel(logo) not in files:
            fail(f"{path}: logo {size} {logo!r} missing")
    for shot in info.get("screenshots", []):
        if rel(shot.get("path", "")) not in files:
            fail(f"{path}: screenshot {shot} missing")
    dep = meta.get("dependencies", {}).get("grafanaDependency", "")
    if not RANGE.match(dep):
        fail(f"{path}: grafanaDependency {dep!r} is not a semver range such as >=10.4.0")
    if "%" in json.dumps(meta):
        fail(f"{path}: unexpanded placeholder")
    if rel("module.js") not in files:
        fail(f"{path}: no module.js beside it")


def check_backend(base, meta, files, z, plugin_id):
    exe = meta.get("executable", "")
    if not exe.startswith("gpx_"):
        fail(f"{base}/plugin.json: executable {exe!r} should start with gpx_")
    for arch, machine in ELF_MACHINE.items():
        rel = str(base / f"{exe}_linux_{arch}")
        info = z.getinfo(f"{plugin_id}/{rel}") if rel in files else None
        if info is None:
            fail(f"{rel} missing")
            continue
        mode = stat.S_IMODE(info.external_attr >> 16)
        if mode != 0o755:
            fail(f"{rel}: mode {oct(mode)}, want 0o755")
        data = z.read(info)
        if data[:4] != b"\x7fELF" or int.from_bytes(data[18:20], "little") != machine:
            fail(f"{rel}: not an ELF executable for linux/{arch}")
        if ".debug_info" in section_names(data):
            fail(f"{rel}: carries debug info (build with strip)")
        check_no_harness(rel, data)
    rel = str(base / f"{exe}_windows_amd64.exe")
    if rel not in files:
        fail(f"{rel} missing")
    else:
        info = z.getinfo(f"{plugin_id}/{rel}")
        if stat.S_IMODE(info.external_attr >> 16) != 0o755:
            fail(f"{rel}: mode {oct(stat.S_IMODE(info.external_attr >> 16))}, want 0o755")
        data = z.read(info)
        pe = int.from_bytes(data[0x3C:0x40], "little") if data[:2] == b"MZ" else -1
        if pe < 0 or data[pe : pe + 4] != b"PE\0\0" or int.from_bytes(data[pe + 4 : pe + 6], "little") != 0x8664:
            fail(f"{rel}: not a PE executable for windows/amd64")
        check_no_harness(rel, data)


def check_no_harness(rel, data):
    for text, what in HARNESS.items():
        if text in data:
            fail(f"{rel}: contains {what}; build it without dev-dependencies or features")


def panel_hook(name):
    """The PANEL_HOOKS entry a wasm export or glue name belongs to, or None."""
    for hook, kind in PANEL_HOOKS.items():
        if kind == "function" and name == hook:
            return hook
        if kind == "class":
            lower = hook.lower()
            if name in (hook, f"__wbg_{lower}_free") or name.startswith(lower + "_"):
                return hook
        if kind == "method":
            cls, method = hook.split(".")
            if name == f"{cls.lower()}_{method}":
                return hook
    return None


def wasm_exports(data):
    """Names in a wasm module's export section."""
    def leb(pos):
        value = shift = 0
        while True:
            b = data[pos]
            pos += 1
            value |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return value, pos

    pos, names = 8, []
    while pos < len(data):
        section, pos = data[pos], pos + 1
        size, pos = leb(pos)
        if section == 7:
            count, p = leb(pos)
            for _ in range(count):
                n, p = leb(p)
                names.append(data[p : p + n].decode("utf-8", "replace"))
                _, p = leb(p + n + 1)  # kind byte, then the index
        pos += size
    return names


def glue_names(text):
    """What a wasm-bindgen glue (or any module) exports by name, and the wasm exports it calls."""
    names = re.findall(r"^export (?:async )?(?:function|class|const|let|var) (\w+)", text, re.M)
    for group in re.findall(r"^export \{([^}]*)\}", text, re.M):
        names += [n.split(" as ")[-1].strip() for n in group.split(",") if n.strip()]
    return names + re.findall(r"\bwasm\.(\w+)", text)


def check_no_panel_hooks(rel, data):
    """The panel's test hooks (PANEL_HOOKS, PANEL_DOM_HOOK) in a wasm, its glue or module.js."""
    if rel.endswith(".wasm"):
        if data[:4] != b"\0asm":
            fail(f"{rel}: not a wasm module")
            return
        names = wasm_exports(data)
    else:
        names = glue_names(data.decode("utf-8", "replace"))
    found = {}
    for name in names:
        hook = panel_hook(name)
        if hook:
            found.setdefault(hook, name)
    for hook, name in sorted(found.items()):
        also = f" ({name})" if name != hook else ""
        fail(f"{rel}: exports the panel's test hook {hook}{also}; build the panel without its feature test-hooks")
    if PANEL_DOM_HOOK in data:
        fail(f"{rel}: hangs a panel on the DOM ({PANEL_DOM_HOOK.decode()}); only the test-hooks build may")


def section_names(elf):
    """Section names of a 64-bit little-endian ELF file."""
    u16 = lambda o: int.from_bytes(elf[o : o + 2], "little")
    u32 = lambda o: int.from_bytes(elf[o : o + 4], "little")
    u64 = lambda o: int.from_bytes(elf[o : o + 8], "little")
    shoff, shentsize, shnum, shstrndx = u64(0x28), u16(0x3A), u16(0x3C), u16(0x3E)
    header = lambda i: shoff + i * shentsize
    strtab = u64(header(shstrndx) + 0x18)
    names = []
    for i in range(shnum):
        start = strtab + u32(header(i))
        names.append(elf[start : elf.index(b"\0", start)].decode("ascii", "replace"))
    return names


def scan(paths):
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        check_no_harness(path, data)
        if path.endswith((".js", ".wasm")):
            check_no_panel_hooks(path, data)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--scan":
        scan(sys.argv[2:])
    elif len(sys.argv) == 2:
        main(sys.argv[1])
    elif len(sys.argv) == 4 and sys.argv[1] == "--sources":
        main(sys.argv[3], sources=sys.argv[2])
    else:
        sys.exit(__doc__)
    sys.exit(1 if failures else 0)

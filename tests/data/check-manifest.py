#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Flatpak manifest parses, and its main module builds this tree.

check-manifest.py parse SOURCE_ROOT
    flatpak-builder --show-manifest accepts the manifest with no warning
    (an unknown key is only a warning to it, so warnings fail here), and
    the manifest says what flatpak/README.md says: the GNOME runtime, the
    command, the finish-args each justified there.

check-manifest.py build SOURCE_ROOT
    What flatpak-builder does with the pieper module inside the sandbox,
    without the sandbox: `meson setup` with the module's config-opts and
    flatpak-builder's own options (prefix /app, libdir lib, release),
    ninja, `meson install` into a DESTDIR; then the installed tree has the
    manifest's command and the files named by the manifest's id.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

MANIFEST = "flatpak/io.github.pieper.Pieper.json"
SKIP = 77


def fail(message):
    print(f"check-manifest: {message}", file=sys.stderr)
    sys.exit(1)


def load(source_root):
    with open(os.path.join(source_root, MANIFEST), encoding="utf-8") as f:
        manifest = json.load(f)
    modules = manifest.get("modules", [])
    if not modules or not isinstance(modules[-1], dict) or modules[-1].get("name") != "pieper":
        fail("the last module should be pieper")
    return manifest, modules[-1]


def parse(source_root):
    flatpak_builder = shutil.which("flatpak-builder")
    if flatpak_builder is None:
        print("flatpak-builder is not installed (build-aux/dev deps installs it)")
        sys.exit(SKIP)
    # Its own deprecations are not ours: G_ENABLE_DIAGNOSTIC (set for the
    # suite) would make them warnings, and warnings fatal here.
    env = dict(os.environ, G_DEBUG="fatal-warnings", G_ENABLE_DIAGNOSTIC="0")
    run = subprocess.run([flatpak_builder, "--show-manifest", os.path.join(source_root, MANIFEST)],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if run.returncode != 0 or run.stderr.strip():
        fail(f"flatpak-builder --show-manifest: exit {run.returncode}\n{run.stderr}")
    shown = json.loads(run.stdout)

    manifest, module = load(source_root)
    if shown.get("id") != manifest.get("id"):
        fail("flatpak-builder read another id")
    want = {
        "id": "io.github.pieper.Pieper",
        "runtime": "org.gnome.Platform",
        "sdk": "org.gnome.Sdk",
        "command": "pieper",
    }
    for key, value in want.items():
        if manifest.get(key) != value:
            fail(f"{key} should be {value}, not {manifest.get(key)}")
    if not str(manifest.get("runtime-version", "")).isdigit():
        fail("runtime-version should be a stable GNOME release (a number), not master/nightly")
    if module.get("buildsystem") != "meson":
        fail("the pieper module should build with meson")
    sources = module.get("sources", [])
    if not any(s.get("type") == "dir" and
               os.path.realpath(os.path.join(source_root, "flatpak", s.get("path", ""))) ==
               os.path.realpath(source_root) for s in sources):
        fail("the pieper module should build this tree (a dir source with path ..)")

    readme = open(os.path.join(source_root, "flatpak/README.md"), encoding="utf-8").read()
    for arg in manifest.get("finish-args", []):
        if f"`{arg}`" not in readme:
            fail(f"finish-arg {arg} is not justified in flatpak/README.md")
    for arg in manifest.get("finish-args", []):
        if arg.startswith(("--filesystem=host", "--filesystem=home", "--socket=session-bus",
                           "--socket=system-bus", "--device=all", "--talk-name=org.freedesktop.Flatpak")):
            fail(f"finish-arg {arg} is far wider than Pieper needs")
    print("manifest ok:", ", ".join(manifest.get("finish-args", [])))


def build(source_root):
    manifest, module = load(source_root)
    app_id = manifest["id"]
    meson = shutil.which("meson")
    ninja = shutil.which("ninja") or shutil.which("ninja-build")
    if meson is None or ninja is None:
        fail("meson and ninja are needed")
    with tempfile.TemporaryDirectory(prefix="pieper-flatpak-") as tmp:
        build_dir = os.path.join(tmp, "_flatpak_build")
        destdir = os.path.join(tmp, "dest")
        # flatpak-builder's meson build system: these, then the config-opts.
        setup = [meson, "setup", "--prefix=/app", "--libdir=lib", "--buildtype=release",
                 "--wrap-mode=nodownload", build_dir, source_root] + module.get("config-opts", [])
        env = dict(os.environ)
        for key in ("CFLAGS", "LDFLAGS"):
            env.pop(key, None)
        for cmd in (setup, [ninja, "-C", build_dir],
                    [meson, "install", "-C", build_dir, "--destdir", destdir, "--no-rebuild", "--quiet"]):
            print("$", " ".join(cmd), flush=True)
            run = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if run.returncode != 0:
                fail(f"{' '.join(cmd)}: exit {run.returncode}\n{run.stdout[-8000:]}")
        app = os.path.join(destdir, "app")
        expected = [
            os.path.join("bin", manifest["command"]),
            f"share/applications/{app_id}.desktop",
            f"share/metainfo/{app_id}.metainfo.xml",
            f"share/icons/hicolor/scalable/apps/{app_id}.svg",
            f"share/icons/hicolor/symbolic/apps/{app_id}-symbolic.svg",
            f"share/dbus-1/services/{app_id}.service",
        ]
        missing = [p for p in expected if not os.path.isfile(os.path.join(app, p))]
        if missing:
            fail("flatpak-builder would not find, under /app: " + ", ".join(missing))
        service = open(os.path.join(app, f"share/dbus-1/services/{app_id}.service"), encoding="utf-8").read()
        if "Exec=/app/bin/pieper --gapplication-service" not in service.splitlines():
            fail("the service file should start /app/bin/pieper --gapplication-service")
        print(f"the pieper module builds this tree and installs {app_id} under /app")


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("parse", "build"):
        fail(__doc__)
    (parse if sys.argv[1] == "parse" else build)(os.path.abspath(sys.argv[2]))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""`meson install --destdir` of this build tree puts every file in its place,
and the installed `pieper` and `pieperctl` run from there.

check-install.py BUILD_ROOT PREFIX BINDIR DATADIR LOCALEDIR APP_ID SCHEMA_ID [LINGUAS]

LINGUAS (po/LINGUAS, passed only when it existed at configure time) adds
LOCALEDIR/LANG/LC_MESSAGES/pieper.mo for each language to the expected list.
"""
import os
import shutil
import subprocess
import sys
import tempfile


def fail(message):
    print(f"check-install: {message}", file=sys.stderr)
    sys.exit(1)


def languages(linguas_path):
    langs = []
    with open(linguas_path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0]
            langs.extend(line.split())
    return langs


def main():
    if len(sys.argv) not in (8, 9):
        fail(__doc__)
    build_root, prefix, bindir, datadir, localedir, app_id, schema_id = sys.argv[1:8]
    linguas = sys.argv[8] if len(sys.argv) == 9 else None

    meson = shutil.which("meson")
    if meson is None:
        fail("meson is not on PATH")

    with tempfile.TemporaryDirectory(prefix="pieper-install-") as destdir:
        # --no-rebuild: the tests run on a built tree; installing must not
        # rebuild it (nor with other options).
        result = subprocess.run(
            [meson, "install", "-C", build_root, "--destdir", destdir, "--no-rebuild", "--quiet"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0:
            fail(f"meson install failed:\n{result.stdout}")

        root = destdir + prefix

        def under(path):
            # Meson options may be absolute (e.g. /usr/share) or relative to the prefix.
            return os.path.join(root, os.path.relpath(path, prefix)) if os.path.isabs(path) \
                else os.path.join(root, path)

        bin_dir = under(bindir)
        data_dir = under(datadir)
        locale_dir = under(localedir)

        expected = [
            os.path.join(bin_dir, "pieper"),
            os.path.join(bin_dir, "pieperctl"),
            os.path.join(data_dir, "applications", f"{app_id}.desktop"),
            os.path.join(data_dir, "metainfo", f"{app_id}.metainfo.xml"),
            os.path.join(data_dir, "icons/hicolor/scalable/apps", f"{app_id}.svg"),
            os.path.join(data_dir, "icons/hicolor/symbolic/apps", f"{app_id}-symbolic.svg"),
            os.path.join(data_dir, "glib-2.0/schemas", f"{schema_id}.gschema.xml"),
            os.path.join(data_dir, "dbus-1/services", f"{app_id}.service"),
            os.path.join(data_dir, "pieper/autostart", f"{app_id}.desktop"),
        ]
        if linguas is not None:
            for lang in languages(linguas):
                expected.append(os.path.join(locale_dir, lang, "LC_MESSAGES", "pieper.mo"))

        missing = [path for path in expected if not os.path.isfile(path)]
        installed = sorted(os.path.relpath(os.path.join(d, f), destdir)
                           for d, _, files in os.walk(destdir) for f in files)
        print("installed:\n  " + "\n  ".join(installed))
        if missing:
            fail("not installed:\n  " + "\n  ".join(os.path.relpath(p, destdir) for p in missing))

        for exe in ("pieper", "pieperctl"):
            if not os.access(os.path.join(bin_dir, exe), os.X_OK):
                fail(f"{exe} is not executable")

        # D-Bus activation starts the installed binary as a GApplication service.
        service = open(os.path.join(data_dir, "dbus-1/services", f"{app_id}.service"),
                       encoding="utf-8").read()
        want_exec = f"Exec={os.path.join(prefix, bindir)}/pieper --gapplication-service"
        if f"Name={app_id}\n" not in service or want_exec not in service.splitlines():
            fail(f"the D-Bus service file should name {app_id} and say {want_exec}:\n{service}")

        # Every file names the same application id.
        desktop = open(os.path.join(data_dir, "applications", f"{app_id}.desktop"),
                       encoding="utf-8").read()
        if f"Icon={app_id}\n" not in desktop or "DBusActivatable=true\n" not in desktop:
            fail("the desktop file should use the application id as its icon and be D-Bus activatable")
        metainfo = open(os.path.join(data_dir, "metainfo", f"{app_id}.metainfo.xml"),
                        encoding="utf-8").read()
        if f"<id>{app_id}</id>" not in metainfo or f">{app_id}.desktop</launchable>" not in metainfo:
            fail("the metainfo should have the application id and launch its desktop file")

        # Run from the installed tree, with the installed schemas compiled
        # into a copy (the prefix's own gschemas.compiled is made by the
        # post-install script, which DESTDIR installs skip).
        with tempfile.TemporaryDirectory(prefix="pieper-schemas-") as schemas:
            shutil.copytree(os.path.join(data_dir, "glib-2.0/schemas"), schemas, dirs_exist_ok=True)
            subprocess.run(["glib-compile-schemas", "--strict", schemas], check=True)
            env = dict(os.environ, GSETTINGS_SCHEMA_DIR=schemas, GSETTINGS_BACKEND="memory")
            for exe, marker in (("pieper", "--demo"), ("pieperctl", "pieperctl")):
                run = subprocess.run([os.path.join(bin_dir, exe), "--help"], env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, timeout=60)
                if run.returncode != 0 or marker not in run.stdout:
                    fail(f"installed {exe} --help: exit {run.returncode}\n{run.stdout}")
                print(f"installed {exe} --help: ok")


if __name__ == "__main__":
    main()

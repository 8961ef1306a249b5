#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Translation checks, stdlib only (run by tests/po/meson.build).

  check-po.py complete SRCDIR LANG...   every message of the sources (a fresh
      xgettext run over po/POTFILES.in) is translated in po/LANG.po, and
      nothing there is fuzzy or untranslated
  check-po.py potfiles SRCDIR           every source file with strings marked
      for translation is listed in po/POTFILES.in, and every listed file exists
  check-po.py cli PIEPERCTL LOCALEDIR   pieperctl speaks Dutch under
      LANGUAGE=nl and German under LANGUAGE=de
"""
import itertools
import os
import re
import subprocess
import sys
import tempfile

# The keywords of meson's i18n.gettext(preset: 'glib').
XGETTEXT_ARGS = [
    '--from-code=UTF-8', '--add-comments',
    '--keyword=_', '--keyword=N_', '--keyword=C_:1c,2', '--keyword=NC_:1c,2',
    '--keyword=g_dcgettext:2', '--keyword=g_dngettext:2,3', '--keyword=g_dpgettext2:2c,3',
    '--flag=N_:1:pass-c-format', '--flag=C_:2:pass-c-format', '--flag=NC_:2:pass-c-format',
    '--flag=g_dngettext:2:pass-c-format', '--flag=g_strdup_printf:1:c-format',
    '--flag=g_string_printf:2:c-format', '--flag=g_string_append_printf:2:c-format',
    '--flag=g_error_new:3:c-format', '--flag=g_set_error:4:c-format',
]


def potfiles(srcdir):
    with open(os.path.join(srcdir, 'po', 'POTFILES.in'), encoding='utf-8') as f:
        return [l.strip() for l in f if l.strip() and not l.lstrip().startswith('#')]


def run(args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def entries(po_text):
    """(msgctxt, msgid) of each message of a msgattrib --no-wrap output."""
    out = []
    ctx = None
    for line in po_text.splitlines():
        if line.startswith('msgctxt '):
            ctx = line[8:]
        elif line.startswith('msgid '):
            if line != 'msgid ""':
                out.append((ctx + ' ' if ctx else '') + line[6:])
            ctx = None
    return out


def check_complete(srcdir, langs):
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, 'pieper.pot')
        listing = os.path.join(tmp, 'POTFILES')
        with open(listing, 'w', encoding='utf-8') as f:
            f.write('\n'.join(potfiles(srcdir)) + '\n')
        run(['xgettext', '--package-name=pieper', '-D', srcdir, '-f', listing, '-o', pot] + XGETTEXT_ARGS)
        for lang in langs:
            po = os.path.join(srcdir, 'po', lang + '.po')
            merged = os.path.join(tmp, lang + '.po')
            run(['msgmerge', '--quiet', '--no-fuzzy-matching', '-o', merged, po, pot])
            for what, flag in (('untranslated', '--untranslated'), ('fuzzy', '--only-fuzzy')):
                for label, path in (('in po/%s.po' % lang, po), ('for the current sources', merged)):
                    text = run(['msgattrib', '--no-wrap', '--no-obsolete', flag, path]).stdout
                    bad = entries(text)
                    if bad:
                        failed = True
                        print('%s: %d %s message(s) %s:' % (lang, len(bad), what, label))
                        for m in bad:
                            print('    ' + m)
            stats = run(['msgfmt', '--check', '--statistics', '-o', os.devnull, merged]).stderr.strip()
            print('%s: %s' % (lang, stats))
            if re.search(r'\b(untranslated|fuzzy)\b', stats):
                failed = True
    if failed:
        print('Run `ninja -C BUILDDIR pieper-update-po`, translate, and keep po/GLOSSARY.md in mind.')
    return 1 if failed else 0


MARK_C = re.compile(r'(?<![\w])(?:_|N_|C_|NC_|Q_|ngettext|g_dngettext|g_dgettext|g_dpgettext2|g_dcgettext)\s*\(')


def marked(path):
    with open(path, encoding='utf-8', errors='replace') as f:
        text = f.read()
    name = os.path.basename(path)
    if name.endswith(('.c', '.h')):
        # Comments do not count.
        text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
        text = re.sub(r'//[^\n]*', '', text)
        return MARK_C.search(text) is not None
    if name.endswith('.ui') or name.endswith('.ui.in'):
        return 'translatable="yes"' in text
    if name.endswith(('.gschema.xml', '.gschema.xml.in')):
        return '<summary' in text or '<description' in text
    if name.endswith(('.desktop.in', '.metainfo.xml.in', '.appdata.xml.in')):
        return True
    if name.endswith(('.metainfo.xml', '.appdata.xml', '.desktop')):
        # Translated copies must be generated from a .in file through
        # i18n.merge_file(); a plain one in the tree is untranslatable.
        return True
    return False


def check_potfiles(srcdir):
    listed = potfiles(srcdir)
    failed = False
    for p in listed:
        if not os.path.isfile(os.path.join(srcdir, p)):
            print('po/POTFILES.in lists %s, which does not exist' % p)
            failed = True
    found = []
    for top in ('src', 'data', 'include'):
        for root, dirs, files in os.walk(os.path.join(srcdir, top)):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(root, name)
                if marked(path):
                    found.append(os.path.relpath(path, srcdir))
    for p in found:
        if p not in listed:
            print('%s has strings marked for translation but is not in po/POTFILES.in' % p)
            failed = True
    print('%d files listed, %d with marked strings found' % (len(listed), len(found)))
    return 1 if failed else 0


def check_cli_columns(pieperctl, env, sample, lang):
    """`show` lines its values up in one column, counted in characters:
    printf's %-20s counts bytes, which "Priorität" or "Urgentie" would miss."""
    with tempfile.TemporaryDirectory() as data_dir:
        subprocess.run([pieperctl, '--data-dir', data_dir, 'import', sample],
                       env=env, capture_output=True, check=True)
        out = subprocess.run([pieperctl, '--data-dir', data_dir, 'show', '1042'],
                             env=env, capture_output=True, text=True)
    lines = list(itertools.takewhile(lambda line: line.startswith('  '), out.stdout.splitlines()[1:]))
    fields = [re.match(r'  (\S+(?: \S+)*)  +(\S)', line) for line in lines]
    fields = [m for m in fields if m is not None and len(m.group(1)) < 22]
    columns = {m.start(2) for m in fields}
    if out.returncode != 0 or len(fields) < 8 or len(columns) != 1:
        print('%s: pieperctl show does not line up its values (%s):\n%s' % (lang, sorted(columns), out.stdout))
        return False
    return True


def check_cli(pieperctl, localedir, sample=None):
    failed = False
    cases = {
        'nl': ['Gebruik: pieperctl', 'Opdrachten:', 'Opties:', 'Een incident bevestigen',
               'Deze hulp tonen'],
        'de': ['Aufruf: pieperctl', 'Befehle:', 'Optionen:', 'Einen Vorfall bestätigen'],
    }
    errors = {'nl': 'Onbekende opdracht', 'de': 'Unbekannter Befehl'}
    for lang, wanted in cases.items():
        env = dict(os.environ, LANGUAGE=lang, LC_ALL='C.UTF-8', PIEPER_LOCALEDIR=localedir)
        env.pop('LC_MESSAGES', None)
        out = subprocess.run([pieperctl, '--help'], env=env, capture_output=True, text=True)
        if out.returncode != 0:
            print('%s: pieperctl --help exited with %d' % (lang, out.returncode))
            failed = True
        for w in wanted:
            if w not in out.stdout:
                print('%s: pieperctl --help lacks “%s”:\n%s' % (lang, w, out.stdout))
                failed = True
        if 'Usage:' in out.stdout or 'Commands:' in out.stdout:
            print('%s: pieperctl --help still has English:\n%s' % (lang, out.stdout))
            failed = True
        err = subprocess.run([pieperctl, 'no-such-command'], env=env, capture_output=True, text=True)
        if err.returncode != 2 or errors[lang] not in err.stderr:
            print('%s: the usage error is not translated (exit %d): %s' % (lang, err.returncode, err.stderr))
            failed = True
        if sample is not None and not check_cli_columns(pieperctl, env, sample, lang):
            failed = True
    # And English without LANGUAGE, as the rest of the suite expects.
    env = dict(os.environ, LANGUAGE='', LC_ALL='C.UTF-8', PIEPER_LOCALEDIR=localedir)
    out = subprocess.run([pieperctl, '--help'], env=env, capture_output=True, text=True)
    if 'Usage: pieperctl' not in out.stdout:
        print('pieperctl --help is not English with LANGUAGE unset:\n' + out.stdout)
        failed = True
    return 1 if failed else 0


def main(argv):
    if len(argv) >= 3 and argv[1] == 'complete':
        return check_complete(argv[2], argv[3:])
    if len(argv) == 3 and argv[1] == 'potfiles':
        return check_potfiles(argv[2])
    if len(argv) in (4, 5) and argv[1] == 'cli':
        return check_cli(*argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))

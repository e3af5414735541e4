# SPDX-License-Identifier: GPL-2.0-only
"""--coverage: function coverage of kvm.ko and the vendor module per param set.

The guest (lab/coverage.sh) traces the modules' functions with ftrace and
prints which ones each set entered, and which ones are traceable at all.  The
host maps functions to source files with the modules' debug info: that of
Debian's debug-symbols package of the kernel (linux-image-RELEASE-dbg), or of
--modules' own .ko files when they carry it."""

import json
import os
import re
import shutil
import subprocess

from . import kernels
from .errors import LabError, E_HOST

# LAB: coverage traceable MODULE NAME... / set N hit NAME... / set N lost EVENTS
TRACEABLE = re.compile(r"^LAB: coverage traceable (\S+)((?: \S+)*)$")
HIT = re.compile(r"^LAB: coverage set (\d+) hit((?: \S+)*)$")
LOST = re.compile(r"^LAB: coverage set (\d+) lost (\d+)$")
UNAVAILABLE = re.compile(r"^LAB: coverage unavailable (.*)$")
# The source path below the build folder: arch/x86/kvm/vmx/nested.c
SOURCE = re.compile(r"(?:^|/)((?:arch|virt|include|kernel|lib|mm)/[^:]+):\d+")
DBG_KO = ("kvm.ko", "kvm-intel.ko", "kvm-amd.ko")
STAMP_NAME = ".nstlab-dbg"


class Record:
    """What the console said: traceable[module] = names, hits[set] = names,
    lost[set] = events the ring buffer dropped, why (coverage unavailable)."""

    def __init__(self):
        self.traceable = {}
        self.hits = {}
        self.lost = {}
        self.why = None


def parse(lines):
    rec = Record()
    for line in lines:
        m = TRACEABLE.match(line)
        if m:
            rec.traceable.setdefault(m.group(1), set()).update(m.group(2).split())
            continue
        m = HIT.match(line)
        if m:
            rec.hits.setdefault(int(m.group(1)), set()).update(m.group(2).split())
            continue
        m = LOST.match(line)
        if m:
            rec.lost[int(m.group(1))] = int(m.group(2))
            continue
        m = UNAVAILABLE.match(line)
        if m and rec.why is None:
            rec.why = m.group(1)
    return rec


def function_files(nm_output):
    """name -> set of source files, from `nm -l --defined-only` of a module."""
    files = {}
    for line in nm_output.splitlines():
        parts = line.split(None, 3)
        if len(parts) < 4 or parts[1] not in "tT":
            continue
        name, where = parts[2], parts[3]
        m = SOURCE.search(os.path.normpath(where))
        if m:
            files.setdefault(name, set()).add(m.group(1))
    return files


def module_files(ko):
    """function_files() of one .ko; {} when it has no debug info."""
    r = subprocess.run(["nm", "-l", "--defined-only", ko], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    return function_files(r.stdout) if r.returncode == 0 else {}


def ftrace_name(path):
    """kvm-intel.ko -> kvm_intel, as ftrace names the module."""
    return os.path.basename(path).split(".")[0].replace("-", "_")


def debug_modules(cache, kernel, apts, log):
    """The folder of the debug-info kvm modules of a Debian kernel, from its
    -dbg package (fetched once, only the KVM modules kept)."""
    pkg = f"{kernel.package}-dbg"
    directory = os.path.join(cache, pkg)
    if kernels.stamp_of(directory) == kernel.version:
        return directory
    for apt in apts:
        if apt is None or not apt.usable():
            continue
        if not apt.cache("show", f"{pkg}={kernel.version}"):
            continue
        log(f"coverage: downloading {pkg} {kernel.version} (debug info; only the KVM "
            f"modules are kept)")
        with kernels.cache_lock(cache):
            _fetch_dbg(apt, pkg, kernel.version, cache, directory)
        return directory
    raise LabError(E_HOST, f"--coverage needs the debug info of {kernel.package}: "
                   f"{pkg}={kernel.version} is in no reachable archive")


def _fetch_dbg(apt, pkg, version, cache, directory):
    tmp = os.path.join(cache, f".{pkg}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    try:
        if not apt.download([f"{pkg}={version}"], tmp):
            raise LabError(E_HOST, f"apt-get download {pkg}={version} failed")
        deb = next(os.path.join(tmp, f) for f in os.listdir(tmp) if f.endswith(".deb"))
        # Only the KVM modules: the package unpacks to about 2 GB.
        r = subprocess.run(f"dpkg-deb --fsys-tarfile '{deb}' | tar -x -C '{tmp}' "
                           f"--wildcards '*/kernel/arch/x86/kvm/*.ko*'", shell=True)
        if r.returncode != 0:
            raise LabError(E_HOST, f"cannot unpack the KVM modules of {deb}")
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)
        for root, _, names in os.walk(tmp):
            for name in names:
                if name.split(".ko")[0] + ".ko" in DBG_KO and ".ko" in name:
                    shutil.move(os.path.join(root, name), os.path.join(directory, name))
        with open(os.path.join(directory, STAMP_NAME), "w") as f:
            f.write(version + "\n")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def find_debug_ko(directory, module):
    """kvm-intel.ko (or .ko.xz, decompressed next to it) in directory."""
    for name in (f"{module}.ko", f"{module}.ko.xz"):
        path = os.path.join(directory, name)
        if not os.path.isfile(path):
            continue
        if name.endswith(".xz"):
            out = path[:-len(".xz")]
            subprocess.run(["xz", "-dkf", path], check=True)
            return out
        return path
    return None


def source_map(kos):
    """ftrace module name -> {function -> set of files} for each .ko."""
    return {ftrace_name(ko): module_files(ko) for ko in kos}


class Table:
    """Coverage per source file: total[file] = traceable functions of it,
    hits[set][file] = those entered in that set."""

    def __init__(self, rec, sources):
        self.total, self.hits, self.unmapped = {}, {}, set()
        where = {}
        for module, names in rec.traceable.items():
            files = sources.get(module, {})
            for name in names:
                fs = files.get(name)
                if not fs:
                    self.unmapped.add(f"{name} [{module}]")
                    continue
                for f in fs:
                    self.total.setdefault(f, set()).add(name)
                where.setdefault(name, set()).update(fs)
        for n, names in rec.hits.items():
            per = self.hits.setdefault(n, {})
            for name in names:
                for f in where.get(name, ()):
                    per.setdefault(f, set()).add(name)

    def union(self, f):
        return set().union(*(per.get(f, set()) for per in self.hits.values()))

    def lines(self, set_labels):
        """The per-file table, one line per file, the union over sets last."""
        sets = sorted(self.hits)
        width = max((len(f) for f in self.total), default=0)
        out = [f"{'file':<{width}}  " + "  ".join(f"{set_labels.get(n, n):>10}" for n in sets)
               + f"  {'all sets':>10}"]
        for f in sorted(self.total):
            t = len(self.total[f])
            cells = [f"{len(self.hits[n].get(f, ())):>5}/{t:<4}" for n in sets]
            out.append(f"{f:<{width}}  " + "  ".join(cells) +
                       f"  {len(self.union(f)):>5}/{t:<4}")
        return out

    def never_hit(self, f):
        return sorted(self.total.get(f, set()) - self.union(f))

    def as_dict(self, set_labels, lost):
        return {
            "sets": {str(n): {"params": set_labels.get(n, ""), "lost_events": lost.get(n, 0),
                              "files": {f: sorted(v) for f, v in sorted(per.items())}}
                     for n, per in sorted(self.hits.items())},
            "traceable": {f: sorted(v) for f, v in sorted(self.total.items())},
            "unmapped": sorted(self.unmapped),
        }


NESTED_FILES = {"kvm_intel": "arch/x86/kvm/vmx/nested.c", "kvm_amd": "arch/x86/kvm/svm/nested.c"}


def report(rec, sources, set_labels, vendor, out_path):
    """Lines for the run's report; writes the machine-readable file."""
    if rec.why and not rec.hits:
        return [f"coverage: unavailable: {rec.why}"]
    table = Table(rec, sources)
    with open(out_path, "w") as f:
        json.dump(table.as_dict(set_labels, rec.lost), f, indent=1, sort_keys=True)
        f.write("\n")
    lines = ["coverage (functions entered / traceable, per source file and param set):"]
    lines += ["  " + l for l in table.lines(set_labels)]
    nested = NESTED_FILES.get(vendor)
    if nested in table.total:
        missed = table.never_hit(nested)
        lines.append(f"coverage: {nested}: {len(table.union(nested))}/"
                     f"{len(table.total[nested])} functions entered; never: "
                     f"{', '.join(missed) if missed else 'none'}")
    for n, events in sorted(rec.lost.items()):
        if events:
            lines.append(f"coverage: warning: set {n}: the trace buffer dropped {events} "
                         f"events; a function seen only then is missing")
    if table.unmapped:
        lines.append(f"coverage: {len(table.unmapped)} traceable functions have no source "
                     f"file in the debug info (not counted)")
    lines.append(f"coverage: written to {out_path}")
    return lines

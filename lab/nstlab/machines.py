# SPDX-License-Identifier: GPL-2.0-only
"""The emulated machines: Bochs (VMX emulation on any host), QEMU with TCG
(SVM emulation on any host: the AMD lab) and QEMU with KVM (a host whose KVM
offers nested VMX or SVM), their command lines, and starting, following and
stopping the emulator process."""

import os
import subprocess
import time
from dataclasses import dataclass

from . import deps

# Bochs settings that work: a Haswell model boots 6.1 with VMX (icelake
# corrupts the kernel text during boot), sync=none because the boot is CPU-bound, rfb with
# timeout=0 as the headless display, no sound (ALSA aborts Bochs; a Bochs
# built without sound, as the lab's 3.0, refuses the sound: line itself).
BOCHSRC = """\
megs: 512
cpu: model=corei7_haswell_4770, count=1, ips=50000000, reset_on_triple_fault=1, ignore_bad_msrs=1
pci: enabled=1, chipset=i440fx
romimage: file={bios}
vgaromimage: file={vgabios}
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata0-master: type=cdrom, path={iso}, status=inserted
boot: cdrom
clock: sync=none, time0=local
display_library: rfb, options="timeout=0"
speaker: enabled=0
{sound}com1: enabled=1, mode=file, dev={console}
mouse: enabled=0
log: {log}
panic: action=fatal
error: action=report
info: action=report
debug: action=ignore
"""
SOUND = "sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy\n"


@dataclass(frozen=True)
class Bochs:
    """A Bochs to run: Debian's (--emulator bochs) or the lab's own build
    (bochsbuild, --emulator bochs-3.0)."""
    binary: str
    bios: str
    version: str        # for the log and the summary
    sound: bool = True  # built with lowlevel sound: bochsrc needs the sound: line


def debian_bochs():
    """Debian's Bochs (the bochs and bochsbios packages)."""
    r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "bochs"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) \
        if deps.is_debian() else None
    version = r.stdout.strip() if r and r.returncode == 0 else None
    return Bochs(binary="bochs-bin", bios=deps.first_file(deps.BIOS),
                 version=f"Bochs {version}, Debian's bochs-bin" if version else
                 "Debian's bochs-bin")


# NST_EMULATOR for the suite (include/emulator_flaws.h): which emulated CPU
# runs the tests, and with it which of their known flaws may excuse a
# scenario.  QEMU with KVM runs them on the host's own CPU.
NST_EMULATOR = {"bochs": "bochs-2.7", "bochs-3.0": "bochs-3.0", "tcg": "tcg", "qemu": "none"}


def guest_env(emulator, env):
    """The guest's NAME=VALUE settings: NST_EMULATOR for @emulator, then the
    --env ones (exported after it, so that --env NST_EMULATOR=... wins)."""
    return [f"NST_EMULATOR={NST_EMULATOR[emulator]}"] + list(env)


def is_bochs(emulator):
    """bochs (Debian's) or bochs-3.0 (the lab's build)."""
    return emulator in ("bochs", "bochs-3.0")


def host_has_nested(cpu):
    """The CPU has VMX (SVM for cpus.AMD), /dev/kvm is ours to use and
    kvm_intel (kvm_amd) lets its guests use it."""
    try:
        with open("/proc/cpuinfo") as f:
            if f" {cpu.flag}" not in f.read():
                return False
        with open(f"/sys/module/{cpu.modname}/parameters/nested") as f:
            nested = f.read().strip()
    except OSError:
        return False
    return os.access("/dev/kvm", os.R_OK | os.W_OK) and nested in ("Y", "y", "1")


def bochsrc(emu, iso, console, log):
    return BOCHSRC.format(bios=emu.bios, vgabios=deps.first_file(deps.VGABIOS), iso=iso,
                          console=console, log=log, sound=SOUND if emu.sound else "")


def bochs(work, out_dir, iso, console, emu=None):
    """(command, working folder) of a Bochs run, writing its bochsrc.  emu:
    the Bochs to run (default Debian's)."""
    emu = emu or debian_bochs()
    rc = os.path.join(out_dir, "bochsrc")
    with open(rc, "w") as f:
        f.write(bochsrc(emu, iso, console, os.path.join(out_dir, "bochs.log")))
    # This Bochs has its internal debugger, which stops at t=0: continue, and
    # quit when the simulation ends.
    dbg = os.path.join(work, "bochs.dbg")
    with open(dbg, "w") as f:
        f.write("c\nquit\n")
    return [emu.binary, "-q", "-f", rc, "-rc", dbg], work


def qemu_kvm(kernel, initrd, cmdline, console):
    return ["qemu-system-x86_64", "-enable-kvm", "-cpu", "host", "-smp", "2", "-m", "1024",
            "-kernel", kernel, "-initrd", initrd, "-append", cmdline,
            "-nodefaults", "-display", "none", "-no-reboot", "-monitor", "none",
            "-serial", f"file:{console}"], None


# QEMU's TCG: guest time from the instruction count (-icount), so that the
# suite's timeouts and the guest's waits are the same on a loaded host as on a
# quiet one: 2^3 ns per instruction, and no sleeping while the guest idles
# (its clock jumps to the next timer instead).  On this project's 2-core
# machine the guest's clock then runs about as fast as the wall clock.
ICOUNT = "shift=3,sleep=off"


def qemu_tcg(kernel, initrd, cmdline, console, icount=ICOUNT):
    """QEMU emulating the CPU itself: -cpu max is an AMD CPU with SVM, NPT and
    VGIF under TCG.  One vCPU: icount needs the single-threaded TCG, and the
    machine is shared."""
    return ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-smp", "1", "-m", "1024",
            *(["-icount", icount] if icount else []),
            "-kernel", kernel, "-initrd", initrd, "-append", cmdline,
            "-nodefaults", "-display", "none", "-no-reboot", "-monitor", "none",
            "-serial", f"file:{console}"], None


class Emulator:
    """The emulator process, in its own session so that a terminal's INT
    reaches us first and we stop it ourselves."""

    def __init__(self, cmd, cwd, out_path):
        with open(out_path, "wb") as out:
            self.proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        self.pid = self.proc.pid

    def running(self):
        return self.proc.poll() is None

    def stop(self, grace=1.0):
        """TERM, then KILL after grace seconds."""
        if not self.running():
            return
        self.proc.terminate()
        try:
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def wait(self):
        return self.proc.wait()


def follow(path, emulator, on_line, on_tick, poll=0.2):
    """Feed each console line to on_line(line, arrival time) while the
    emulator runs, then what is left; on_tick(now) after every poll.
    Lines are timestamped when they arrive: that is wall time."""
    partial = b""
    with open(path, "rb") as f:
        while True:
            chunk = f.read()
            if chunk:
                now = time.time()
                *lines, partial = (partial + chunk).split(b"\n")
                for line in lines:
                    on_line(line.decode("utf-8", "replace"), now)
            elif not emulator.running():
                if not f.read(1):
                    break
                f.seek(-1, os.SEEK_CUR)
                continue
            else:
                time.sleep(poll)
            on_tick(time.time())
    if partial:
        on_line(partial.decode("utf-8", "replace"), time.time())

# SPDX-License-Identifier: GPL-2.0-only
#
# Function coverage of the KVM modules (lab/vmtest --coverage), sourced by
# /init, which defines lab().  It uses the ftrace function tracer, which every
# Debian kernel has (the function profiler it lacks).  Each function is traced
# until its first call only: coverage_sync moves every function seen into
# set_ftrace_notrace, so the modules soon run untraced.  It runs after each run
# of a scenario (the runner's NST_AFTER_RUN), when no VM exists: measured in
# the lab, a write to set_ftrace_notrace by name takes seconds per name in an
# emulator (each name is looked up in every function's symbol), so functions
# are given by their index in available_filter_functions (5.12+), which
# takes no symbol lookup.  Markers (see lab/README.md):
#   LAB: coverage traceable MODULE NAME...   once, before the first set
#   LAB: coverage set N hit NAME...           the functions set N entered
#   LAB: coverage set N lost EVENTS           events the full buffer dropped
#   LAB: coverage unavailable WHY

TR=/sys/kernel/tracing
COV_HIT=/tmp/coverage.hit
COV_NEW=/tmp/coverage.new
COV_LOST=/tmp/coverage.lost
COV_INDEX=/tmp/coverage.index
COV_SYNC=". /lab/coverage.sh && coverage_sync"
COV_NAMES_PER_LINE=20

coverage_print()	# PREFIX < one name per line
{
	awk -v p="$1" -v n="$COV_NAMES_PER_LINE" '
		{ l = l " " $0; if (++c == n) { print "LAB: " p l; l = ""; c = 0 } }
		END { if (c) print "LAB: " p l }'
}

# Mounts tracefs and prints the traceable functions of the modules named.
coverage_init()		# MODULE...
{
	[ -e $TR/trace ] || mount -t tracefs nodev $TR 2>/dev/null
	if [ ! -w $TR/set_ftrace_filter ]; then
		lab "coverage unavailable no function tracer in this kernel"
		return 1
	fi
	for m in "$@"; do
		sed -n "s/^\([^ ]*\) \[$m\]\$/\1/p" $TR/available_filter_functions |
			grep -v '^__ftrace_invalid_address__' |
			coverage_print "coverage traceable $m"
	done
}

# Traces the modules' functions until coverage_stop.
coverage_start()	# MODULE...
{
	echo 0 >$TR/tracing_on
	echo nop >$TR/current_tracer
	: >$TR/set_ftrace_notrace
	: >$TR/set_ftrace_filter
	for m in "$@"; do
		echo ":mod:$m" >>$TR/set_ftrace_filter
	done
	# An empty filter would trace every function of the kernel.
	if [ -z "$(head -n 1 $TR/set_ftrace_filter)" ]; then
		lab "coverage unavailable no traceable function in $*"
		return 1
	fi
	# "INDEX NAME" of the modules' functions, for set_ftrace_notrace.
	awk -v mods=" $* " 'match($0, / \[[^]]*\]$/) {
		if (index(mods, " " substr($0, RSTART + 2, RLENGTH - 3) " "))
			print NR, $1
	}' $TR/available_filter_functions >$COV_INDEX
	# Keep the oldest events when the buffer is full: a function's first
	# call is what counts.
	echo 0 >$TR/options/overwrite
	# Lines of the function name alone: formatting the buffer is the
	# collection's main cost in an emulator.
	echo 0 >$TR/options/print-parent
	echo 0 >$TR/options/context-info
	# A scenario with many exits fills 1 MB before the next sync (measured:
	# ~10k events lost per set); 8 MB keeps every first call.
	echo 8192 >$TR/buffer_size_kb
	echo >$TR/trace
	: >$COV_HIT
	: >$COV_LOST
	echo function >$TR/current_tracer
	export NST_AFTER_RUN="$COV_SYNC"
	echo 1 >$TR/tracing_on
}

# Trace lines are " NAME" (no context, no parent); comments start with "#".
coverage_names()
{
	sed -n 's/^ *\([A-Za-z_][^ ]*\)$/\1/p'
}

# The names of stdin not in $COV_HIT (grep -f of an empty file matches nothing).
coverage_unseen()
{
	if [ -s $COV_HIT ]; then
		grep -vxF -f $COV_HIT
	else
		cat
	fi
}

# Moves the functions in the buffer into $COV_HIT and set_ftrace_notrace.
coverage_sync()
{
	coverage_names <$TR/trace | sort -u | coverage_unseen >$COV_NEW
	# Clearing the buffer resets its counters.
	sed -n 's/^dropped events: //p' $TR/per_cpu/cpu*/stats >>$COV_LOST
	echo >$TR/trace
	if [ -s $COV_NEW ]; then
		cat $COV_NEW >>$COV_HIT
		awk 'NR == FNR { new[$1] = 1; next } $2 in new { print $1 }' \
			$COV_NEW $COV_INDEX >>$TR/set_ftrace_notrace
	fi
}

# Stops tracing and prints set N's hits.
coverage_stop()		# N
{
	local lost

	echo 0 >$TR/tracing_on
	unset NST_AFTER_RUN
	coverage_sync
	echo nop >$TR/current_tracer
	: >$TR/set_ftrace_notrace
	: >$TR/set_ftrace_filter
	lost=$(awk '{ s += $1 } END { print s + 0 }' $COV_LOST)
	sort -u $COV_HIT | coverage_print "coverage set $1 hit"
	lab "coverage set $1 lost $lost"
}

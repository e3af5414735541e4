# SPDX-License-Identifier: GPL-2.0-only
#
# Function coverage of the KVM modules (lab/vmtest --coverage), sourced by
# /init, which defines lab().  It uses the ftrace function tracer, which every
# Debian kernel has (the function profiler it lacks).  Each function is traced
# until its first call only: a reader moves every function it sees into
# set_ftrace_notrace, so after a warm-up the modules run untraced and the
# tests see little of the tracer.  Markers (see lab/README.md):
#   LAB: coverage traceable MODULE NAME...   once, before the first set
#   LAB: coverage set N hit NAME...           the functions set N entered
#   LAB: coverage set N lost EVENTS           events the ring buffer dropped
#   LAB: coverage unavailable WHY

TR=/sys/kernel/tracing
COV_HIT=/tmp/coverage.hit
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
	# Keep the oldest events when the buffer is full: a function's first
	# call is what counts.
	echo 0 >$TR/options/overwrite
	echo 16384 >$TR/buffer_size_kb
	echo >$TR/trace
	: >$COV_HIT
	echo function >$TR/current_tracer
	# Lines end "...: NAME <-CALLER".  Closing set_ftrace_notrace after
	# each name makes ftrace apply it at once.
	cat $TR/trace_pipe | awk -v hit=$COV_HIT -v notrace=$TR/set_ftrace_notrace '
		match($0, /: [^ ]+ <-/) {
			f = substr($0, RSTART + 2, RLENGTH - 5)
			if (f in seen)
				next
			seen[f] = 1
			print f >>hit; close(hit)
			print f >>notrace; close(notrace)
		}' &
	COV_READER=$!
	echo 1 >$TR/tracing_on
}

# Stops tracing, lets the reader drain the buffer and prints set N's hits.
coverage_stop()		# N
{
	local n=0 lost

	echo 0 >$TR/tracing_on
	# trace shows what the reader has not consumed yet: wait until empty.
	while grep -qv '^#' $TR/trace && [ $n -lt 30 ]; do
		sleep 1
		n=$((n + 1))
	done
	# The reader's awk ends at the end of its input.
	pkill -f "cat $TR/trace_pipe" 2>/dev/null
	wait $COV_READER 2>/dev/null
	echo nop >$TR/current_tracer
	: >$TR/set_ftrace_notrace
	: >$TR/set_ftrace_filter
	lost=$(sed -n 's/^dropped events: //p' $TR/per_cpu/cpu*/stats | awk '{ s += $1 } END { print s + 0 }')
	sort -u $COV_HIT | coverage_print "coverage set $1 hit"
	lab "coverage set $1 lost $lost"
}

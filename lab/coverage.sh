# SPDX-License-Identifier: GPL-2.0-only
#
# Function coverage of the KVM modules (lab/vmtest --coverage), sourced by
# /init, which defines lab().  It uses the ftrace function tracer, which every
# Debian kernel has (the function profiler it lacks).  Each function is traced
# until its first call only: a reader moves every function it sees into
# set_ftrace_notrace, so after a warm-up the modules run untraced and the
# tests see little of the tracer.  The reader drains trace_pipe for a second
# at a time and writes set_ftrace_notrace only while it does not read: a
# write to an ftrace control file waits while a trace_pipe reader sleeps.  Markers (see lab/README.md):
#   LAB: coverage traceable MODULE NAME...   once, before the first set
#   LAB: coverage set N hit NAME...           the functions set N entered
#   LAB: coverage set N lost EVENTS           events the ring buffer dropped
#   LAB: coverage unavailable WHY

TR=/sys/kernel/tracing
COV_HIT=/tmp/coverage.hit
COV_NEW=/tmp/coverage.new
COV_CHUNK=/tmp/coverage.chunk
COV_ON=/tmp/coverage.on
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
	# Keep the oldest events when the buffer is full: a function's first
	# call is what counts.
	echo 0 >$TR/options/overwrite
	echo 4096 >$TR/buffer_size_kb
	echo >$TR/trace
	: >$COV_HIT
	echo function >$TR/current_tracer
	touch $COV_ON
	coverage_reader &
	COV_READER=$!
	echo 1 >$TR/tracing_on
}

# Trace lines end "...: NAME <-CALLER".
coverage_names()
{
	sed -n 's/.*: \([^ ]*\) <-.*/\1/p'
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

coverage_reader()
{
	local go=1

	while [ $go = 1 ]; do
		[ -e $COV_ON ] || go=0
		timeout 1 cat $TR/trace_pipe >$COV_CHUNK
		coverage_names <$COV_CHUNK | sort -u | coverage_unseen >$COV_NEW
		if [ -s $COV_NEW ]; then
			cat $COV_NEW >>$COV_HIT
			cat $COV_NEW >>$TR/set_ftrace_notrace
		fi
	done
}

# Stops tracing and prints set N's hits: the reader's, and what it left in
# the buffer.
coverage_stop()		# N
{
	local lost

	echo 0 >$TR/tracing_on
	# The reader drains the buffer once more, then ends.
	rm -f $COV_ON
	wait $COV_READER
	coverage_names <$TR/trace >>$COV_HIT
	echo nop >$TR/current_tracer
	: >$TR/set_ftrace_notrace
	: >$TR/set_ftrace_filter
	lost=$(sed -n 's/^dropped events: //p' $TR/per_cpu/cpu*/stats | awk '{ s += $1 } END { print s + 0 }')
	sort -u $COV_HIT | coverage_print "coverage set $1 hit"
	lab "coverage set $1 lost $lost"
}

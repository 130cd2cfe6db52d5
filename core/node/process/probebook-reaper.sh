#!/bin/sh
# The kill-on-death guard of one kernel host session (started by reaper.ts, outside the session).
# It reads the kernel host's pipe: "+PGID" / "-PGID" lines name the process groups of running
# cells. When the pipe closes (the host exited or was SIGKILLed) it kills those groups, the
# session cgroup ($1) whole or, without one, every process whose environment starts with the
# session's marker ($2), then removes the cgroups.
#   sh -c "$(cat probebook-reaper.sh)" probebook-reaper CGROUP_PATH_OR_EMPTY 'PROBEBOOK_CELL_RUN=SESSION.'

# Only the closing pipe may end it: not the terminal's Ctrl-C, nor the host's death.
trap '' INT TERM HUP QUIT PIPE
cg="$1"; groups=" "
while IFS= read -r line; do
  case "$line" in
    +*) groups="$groups${line#+} ";;
    -*) groups=$(printf '%s' "$groups" | sed "s/ ${line#-} / /");;
  esac
done
# "kill -s KILL --": dash (Debian's sh) reads "kill -KILL -- -PGID" as a bad pid and kills nothing.
for g in $groups; do kill -s KILL -- "-$g" 2>/dev/null; done
if [ -z "$cg" ] && [ -n "$2" ]; then
  for f in /proc/[0-9]*/environ; do grep -qz "^$2" "$f" 2>/dev/null && { p=${f#/proc/}; kill -s KILL "${p%/environ}" 2>/dev/null; }; done
fi
if [ -z "$cg" ] || [ ! -d "$cg" ]; then exit 0; fi
if [ -e "$cg/cgroup.kill" ]; then echo 1 > "$cg/cgroup.kill"
else
  # Five rounds: a process forked between listing and killing is caught by the next one.
  for _ in 1 2 3 4 5; do
    find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null | while read -r p; do kill -s KILL "$p" 2>/dev/null; done
  done
fi
i=0; while grep -q '^populated 1' "$cg/cgroup.events" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
exit 0

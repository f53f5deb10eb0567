# Sourced by the end-to-end test scripts: stopping the processes they start,
# every wait bounded.

# wait_exit PID [TENTHS]: waits up to TENTHS tenths of a second (default 50)
# for PID to exit; status 1 if it is still running then.
wait_exit() {
  local pid="$1" tenths="${2:-50}"
  for _ in $(seq 1 "${tenths}"); do
    kill -0 "${pid}" 2>/dev/null || return 0
    sleep 0.1
  done
  ! kill -0 "${pid}" 2>/dev/null
}

# stop_processes PID...: SIGTERM to each, then each has up to 5 s to exit
# before SIGKILL; reaped when it is this shell's child.
stop_processes() {
  local pid
  for pid in "$@"; do kill -TERM "${pid}" 2>/dev/null; done
  for pid in "$@"; do
    wait_exit "${pid}" || kill -KILL "${pid}" 2>/dev/null
    wait "${pid}" 2>/dev/null
  done
  return 0
}

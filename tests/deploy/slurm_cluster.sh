# shellcheck shell=bash
# Sourced by tests/deploy/slurm_recipe_test.sh: brings up and tears down a
# real single-node Slurm (munge, slurmctld, slurmd) whose every file - key,
# sockets, state, spool, logs, pid files - lives under one folder, on two
# free ports picked at random in 20000-32767, so it cannot clash with a
# Slurm or munge already on the machine.
#
#   cluster_up DIR     starts munged, slurmctld and slurmd; exports
#                      SLURM_CONF; waits (<= 30 s) until the node is idle;
#                      starts again on other ports if one was taken
#   cluster_down       cancels every job (waits <= 10 s), stops slurmd,
#                      slurmctld and munged with SIGTERM and waits for each,
#                      SIGKILLs any job step daemon (slurmstepd) of this
#                      cluster still there; returns 1, naming them, if any
#                      of these processes is alive 10 s later
#
# The daemons run as root (the recipe's jobs then run as root, as the
# sandbox was measured: docs/scale.md). Requires munged, slurmctld, slurmd,
# sbatch, squeue, scontrol, scancel on PATH or in /usr/sbin.

cluster_pids=()
cluster_dir=

# free_port: prints a TCP port in 20000-32767 that can be bound now. Below
# Linux's ephemeral range (32768-60999), so that no outgoing connection
# takes it between this check and the daemon's bind.
free_port() {
  local port
  while :; do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 12768))
    if python3 -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", int(sys.argv[1])))' "$port" 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}

cluster_up() {
  cluster_dir=$1
  local d=$cluster_dir
  mkdir -p "$d/munge" "$d/state" "$d/spool" "$d/log" "$d/run"
  chmod 700 "$d/munge"
  dd if=/dev/urandom of="$d/munge/munge.key" bs=1024 count=1 status=none
  chmod 600 "$d/munge/munge.key"
  # --force: munged refuses to run as root without it.
  munged --force --foreground --socket="$d/munge/munge.sock" \
    --key-file="$d/munge/munge.key" --pid-file="$d/munge/munged.pid" \
    --log-file="$d/log/munged.log" --seed-file="$d/munge/munged.seed" \
    >>"$d/log/munged.out" 2>&1 &
  cluster_pids+=($!)
  # A port taken by someone else between free_port and the bind: start
  # again on other ports (3 tries).
  for _ in 1 2 3; do
    cluster_start_slurm && return 0
    grep -qs 'Address already in use' "$d/log/slurmctld.out" \
      "$d/log/slurmd.out" || break
    echo "slurm: a port was taken, starting again on others" >&2
  done
  tail -n 20 "$d/log/"*.log "$d/log/"*.out >&2
  return 1
}

# cluster_start_slurm: writes slurm.conf with two free ports, starts
# slurmctld and slurmd, waits (<= 30 s) until the node is idle. On failure
# stops both (munged keeps running) and returns 1.
cluster_start_slurm() {
  local d=$cluster_dir node ctld_port slurmd_port cpus mem ctld slurmd
  node=$(slurmd -C | sed -n 's/^NodeName=\([^ ]*\) .*/\1/p')
  ctld_port=$(free_port)
  slurmd_port=$(free_port)
  while [[ $slurmd_port == "$ctld_port" ]]; do slurmd_port=$(free_port); done
  # This host's cores and memory, as slurmd sees them.
  cpus=$(slurmd -C | sed -n 's/.* CPUs=\([0-9]*\).*/\1/p')
  mem=$(slurmd -C | sed -n 's/.* RealMemory=\([0-9]*\).*/\1/p')
  cat >"$d/slurm.conf" <<CONF
ClusterName=endstate-test
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$d/munge/munge.sock
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/run/slurmctld.pid
SlurmdPidFile=$d/run/slurmd.pid
SlurmctldLogFile=$d/log/slurmctld.log
SlurmdLogFile=$d/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# In a container the cgroup plugins may not work: track job processes by
# parent pid, bind nothing.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
# Finished jobs stay visible to scontrol for 10 minutes (no accounting
# database here); a cancelled job gets SIGKILL 5 s after SIGTERM.
MinJobAge=600
KillWait=5
JobRequeue=1
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF=$d/slurm.conf
  rm -f "$d/log/slurmctld.out" "$d/log/slurmd.out"
  # -i: ignore state left from an earlier try.
  slurmctld -D -i -f "$SLURM_CONF" >>"$d/log/slurmctld.out" 2>&1 &
  ctld=$!
  slurmd -D -N "$node" -f "$SLURM_CONF" >>"$d/log/slurmd.out" 2>&1 &
  slurmd=$!
  cluster_pids+=("$ctld" "$slurmd")

  local i state
  for ((i = 0; i < 150; i++)); do
    state=$(sinfo -h -N -o '%T' 2>/dev/null | head -1)
    if [[ $state == idle ]]; then
      echo "slurm: node $node up (CPUs=$cpus RealMemory=${mem}M," \
        "slurmctld port $ctld_port, slurmd port $slurmd_port, $d)"
      return 0
    fi
    if ! kill -0 "$ctld" 2>/dev/null || ! kill -0 "$slurmd" 2>/dev/null; then
      break  # a daemon exited (a port taken, a bad config)
    fi
    sleep 0.2
  done
  echo "slurm: node $node did not become idle (state '$state')" >&2
  kill -TERM "$slurmd" "$ctld" 2>/dev/null || :
  wait "$slurmd" "$ctld" 2>/dev/null || :
  cluster_pids=("${cluster_pids[@]:0:${#cluster_pids[@]}-2}")
  return 1
}

# Job step daemons of this cluster: the slurmstepd processes that inherited
# our slurmd's environment (SLURM_CONF=our slurm.conf).
cluster_stepd_pids() {
  local p
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [[ $(cat "/proc/$p/comm" 2>/dev/null) == slurmstepd ]] || continue
    if tr '\0' '\n' 2>/dev/null <"/proc/$p/environ" |
      grep -qxF "SLURM_CONF=$cluster_dir/slurm.conf"; then
      echo "$p"
    fi
  done
}

cluster_down() {
  [[ -n $cluster_dir ]] || return 0
  local left=() p i
  # Only ever our cluster's jobs (never the machine's own Slurm).
  if [[ ${SLURM_CONF:-} == "$cluster_dir/slurm.conf" ]]; then
    scancel --full --quiet -u root 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      [[ -z $(squeue -h -t R,CG 2>/dev/null) ]] && break
      sleep 0.2
    done
  fi
  # Reverse order: slurmd, slurmctld, then munged (they need it to stop).
  for ((i = ${#cluster_pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${cluster_pids[i]}" 2>/dev/null || true
    wait "${cluster_pids[i]}" 2>/dev/null || true
  done
  for p in $(cluster_stepd_pids); do kill -KILL "$p" 2>/dev/null || true; done
  for ((i = 0; i < 50; i++)); do
    left=()
    for p in "${cluster_pids[@]}" $(cluster_stepd_pids); do
      kill -0 "$p" 2>/dev/null && left+=("$p")
    done
    ((${#left[@]} == 0)) && break
    sleep 0.2
  done
  cluster_pids=()
  if ((${#left[@]} > 0)); then
    echo "slurm: daemons left running after teardown:" >&2
    for p in "${left[@]}"; do
      echo "  $p $(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline")" >&2
    done
    return 1
  fi
  echo "slurm: cluster down, no daemon left"
}

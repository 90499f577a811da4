#!/usr/bin/env bash
# Opt-in integration test: runs the smoke experiment through a REAL single-node Slurm
# (Debian packages) via `silico experiment --emit-slurm`, then checks `silico collect`.
#
#   bash tests/slurm.sh            # from the repository root; needs target/release/silico
#
# Everything (munge key and socket, slurm.conf, spool/state dirs, logs) lives in one temp
# dir, on private ports, so it neither needs nor disturbs a system-wide Slurm or munge.
# Env: SILICO_BIN (default target/release/silico), SLURM_TEST_TIMEOUT (seconds, default 600),
#      KEEP=1 keeps the temp dir for inspection.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${SILICO_BIN:-$ROOT/target/release/silico}
TIMEOUT=${SLURM_TEST_TIMEOUT:-600}
START=$SECONDS

say() { echo "slurm.sh: $*" >&2; }
REASON=
die() { REASON=$*; say "FAIL: $*"; exit 1; }

[[ -x $BIN ]] || die "$BIN not found: build it first (cargo build --release)"

SUDO=
if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; fi

# --- 1. packages -------------------------------------------------------------------------
PKGS=(slurmctld slurmd slurm-client munge)
missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    $SUDO apt-get update -qq
    # policy-rc.d / no systemd: the packages' own services just fail to start, which is fine.
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
fi

# --- 2. private single-node cluster --------------------------------------------------------
T=$(mktemp -d /tmp/silico-slurm.XXXXXX)
chmod 700 "$T"
mkdir -p "$T/state" "$T/spool" "$T/log" "$T/munge"
PIDS=()

show_logs() {
    for f in "$T"/out/slurm-*.out "$T"/log/*; do
        [[ -f $f ]] || continue
        echo "----- $f (last 60 lines)" >&2
        tail -n 60 "$f" >&2
    done
}

# Pids of processes carrying our private SLURM_CONF (steps and jobs; with `all` also the
# daemons), leaving out this shell and its own helpers (it exported SLURM_CONF after it started).
ours() {
    local e p comm ppid
    for e in /proc/[0-9]*/environ; do
        p=${e#/proc/}; p=${p%/environ}
        ppid=$(awk '/^PPid:/ {print $2}' "/proc/$p/status" 2>/dev/null) || continue
        [[ $p == "$$" || $p == "$BASHPID" || $ppid == "$$" || $ppid == "$BASHPID" ]] && continue
        $SUDO grep -qsaF "SLURM_CONF=$T/slurm.conf" "$e" || continue
        comm=$(cat "/proc/$p/comm" 2>/dev/null) || continue
        [[ ${1:-} != all && $comm =~ ^(slurmd|slurmctld|slurmscriptd|sudo)$ ]] && continue
        echo "$p"
    done
}

cleanup() {
    local rc=$?
    trap - EXIT
    if ((rc != 0)); then show_logs; fi
    # Cancel leftovers first so slurmd does not leave job steps (slurmstepd) orphaned.
    if [[ -n ${JOB:-} ]]; then
        scancel --quiet "$JOB" 2>/dev/null || true
        for _ in $(seq 30); do
            [[ -z $(squeue -h -j "$JOB" -o '%i' 2>/dev/null) ]] && break
            sleep 1
        done
    fi
    # Let finished steps' slurmstepd exit on their own before slurmd goes away under them.
    for _ in $(seq 20); do
        [[ -z $(ours) ]] && break
        sleep 0.5
    done
    for pid in "${PIDS[@]}"; do $SUDO kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 50); do $SUDO kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    done
    # Whatever still carries our SLURM_CONF (a stuck step or job, a daemon that ignored TERM).
    for p in $(ours all); do $SUDO kill -9 "$p" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do $SUDO kill -9 "$pid" 2>/dev/null || true; done
    if [[ ${KEEP:-0} == 1 ]]; then say "kept $T"; else $SUDO rm -rf "$T"; fi
    if ((rc == 0)); then
        say "PASS after $((SECONDS - START))s"
    else
        say "FAIL after $((SECONDS - START))s: ${REASON:-exit status $rc}"
        [[ ${KEEP:-0} == 1 ]] || say "(KEEP=1 keeps the temp dir with all logs)"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A private key and socket keep us off any system munge. munged refuses keys that others
# can read. It and slurmctld run as the invoking user; only slurmd needs root (to run jobs).
KEY=$T/munge/munge.key
dd if=/dev/urandom of="$KEY" bs=1 count=1024 status=none
chmod 400 "$KEY"
MSOCK=$T/munge/munge.socket
# --force: munged will not run as root otherwise (and complains about the 700 temp dir).
munged --force --foreground --socket="$MSOCK" --key-file="$KEY" \
    --pid-file="$T/munge/munged.pid" \
    --seed-file="$T/munge/munged.seed" >"$T/log/munged.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do [[ -S $MSOCK ]] && break; sleep 0.1; done
[[ -S $MSOCK ]] || die "munged did not start"

NODE=$(hostname -s)
CPUS=$(nproc)
# The emitted script asks for 2 CPUs per task; a 1-CPU box would never schedule it.
((CPUS >= 2)) || CPUS=2
USER_NAME=$(id -un)
# Ports off the defaults so a system Slurm (if any) is not in the way.
CTLD_PORT=$((16000 + RANDOM % 2000))
SLURMD_PORT=$((CTLD_PORT + 2000))

export SLURM_CONF=$T/slurm.conf
cat >"$SLURM_CONF" <<EOF
ClusterName=silicotest
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=$USER_NAME
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MSOCK
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
# No log files: with -D the daemons log to stderr, which we capture below.
SlurmctldDebug=info
SlurmdDebug=info
MailProg=/bin/true
# Containers have no cgroup delegation: track and launch tasks without cgroups.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
# Trust the CPU count below even if the box reports fewer (see CPUS above).
SlurmdParameters=config_overrides
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS State=UNKNOWN
PartitionName=test Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF

# -D: stay in the foreground, so we own the pids and their stderr is the log; -i: the
# fresh state dir has no state files, which slurmctld would otherwise complain about.
slurmctld -D -i >"$T/log/slurmctld.log" 2>&1 &
PIDS+=($!)
$SUDO env SLURM_CONF="$SLURM_CONF" slurmd -D >"$T/log/slurmd.log" 2>&1 &
PIDS+=($!)

state=
for _ in $(seq 60); do
    state=$(sinfo -h -n "$NODE" -o '%T' 2>/dev/null || true)
    [[ $state == idle ]] && break
    sleep 1
done
[[ $state == idle ]] || die "node $NODE not idle after 60s (state: '${state:-none}')"
say "slurm up: node $NODE idle with $CPUS CPUs"

# --- 3. the experiment through Slurm -------------------------------------------------------
OUT=$T/out
"$BIN" experiment "$ROOT/configs/experiments/smoke.ron" --emit-slurm "$OUT" --shards 2
SCRIPT=$OUT/smoke.sbatch
[[ -f $SCRIPT ]] || die "no $SCRIPT written"

JOB=$(sbatch --parsable "$SCRIPT")
JOB=${JOB%%;*}
say "submitted array job $JOB"

deadline=$((SECONDS + TIMEOUT))
while [[ -n $(squeue -h -j "$JOB" -o '%i' 2>/dev/null) ]]; do
    ((SECONDS < deadline)) || { squeue -j "$JOB" >&2; die "job $JOB not done after ${TIMEOUT}s"; }
    sleep 2
done

# No accounting, so no sacct; slurmctld still remembers finished jobs for MinJobAge (300 s).
jobs=$(scontrol -o show job "$JOB")
tasks_ok=$(grep -c 'JobState=COMPLETED .*ExitCode=0:0' <<<"$jobs" || true)
((tasks_ok == 2)) || die "expected 2 array tasks COMPLETED with exit 0, got: \
$(grep -oE 'ArrayTaskId=[0-9]+|JobState=[A-Z_]+|ExitCode=[0-9:]+' <<<"$jobs" | paste -sd' ')"
for k in 0 1; do
    log=$OUT/slurm-${JOB}_$k.out
    [[ -f $log ]] || die "missing task log $log"
done

"$BIN" collect "$OUT"
CSV=$OUT/results.csv
[[ -f $CSV ]] || die "collect wrote no $CSV"
[[ -f $OUT/summary.md ]] || die "collect wrote no $OUT/summary.md"

header=$(head -n 1 "$CSV")
[[ $header == variant,seed,ticks,* ]] || die "unexpected results.csv header: $header"
rows=$(tail -n +2 "$CSV" | grep -c . || true)
((rows == 4)) || { cat "$CSV" >&2; die "expected 4 rows in results.csv, got $rows"; }
pairs=$(tail -n +2 "$CSV" | cut -d, -f1,2 | sort)
want=$(printf '%s\n' no-messages,0 no-messages,1 world,0 world,1)
[[ $pairs == "$want" ]] || { cat "$CSV" >&2; die "wrong (variant,seed) pairs: $(echo $pairs)"; }
bad=$(tail -n +2 "$CSV" | awk -F, '$3 != 200' || true)
[[ -z $bad ]] || die "runs without 200 ticks: $bad"

say "results.csv OK: 4 runs (2 variants x 2 seeds), 200 ticks each"
